//! Exact path-dependent TreeSHAP (Lundberg et al.) over a [`super::ShapEnsemble`].
