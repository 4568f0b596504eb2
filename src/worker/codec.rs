//! Converting protocol messages to and from JavaScript values (structured-clone friendly),
//! and the envelope that carries an attachment (an uploaded `File`, the claims' bytes)
//! beside a message.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use crate::protocol::{HelperReply, HelperTask};

/// Encodes a message; 64-bit integers become BigInts so seeds survive exactly, and byte
/// payloads become `Uint8Array`s.
pub fn encode<T: Serialize>(message: &T) -> Result<JsValue, String> {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
    message.serialize(&serializer).map_err(|e| e.to_string())
}

/// Encodes a message and lists the buffers of its large byte payloads in `transfer`, so
/// posting moves them instead of copying.
pub fn encode_with_transfer<T: Serialize>(message: &T, transfer: &js_sys::Array) -> Result<JsValue, String> {
    let value = encode(message)?;
    collect_buffers(&value, transfer, 0);
    Ok(value)
}

/// Decodes a message posted by the other side.
pub fn decode<T: DeserializeOwned>(value: JsValue) -> Result<T, String> {
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Wraps an encoded message and an optional attachment posted beside it rather than
/// through serde: a request's uploaded `File`, or the claims' bytes of a `Loaded` reply.
pub fn envelope(message: JsValue, attachment: Option<&JsValue>) -> Result<JsValue, String> {
    let envelope = Object::new();
    Reflect::set(&envelope, &"message".into(), &message).map_err(|e| format!("{e:?}"))?;
    if let Some(attachment) = attachment {
        Reflect::set(&envelope, &"attachment".into(), attachment).map_err(|e| format!("{e:?}"))?;
    }
    Ok(envelope.into())
}

/// Splits an envelope into its message and its attachment, if any.
pub fn unwrap_envelope(value: &JsValue) -> Result<(JsValue, Option<JsValue>), String> {
    let message = Reflect::get(value, &"message".into()).map_err(|e| format!("{e:?}"))?;
    if message.is_undefined() {
        return Err("the message has no body".into());
    }
    let attachment = Reflect::get(value, &"attachment".into()).map_err(|e| format!("{e:?}"))?;
    Ok((message, (!attachment.is_undefined()).then_some(attachment)))
}

/// A helper task with its byte arrays beside it (their buffers transferred), ready to post.
pub fn helper_task(task: &HelperTask, bytes: &[Uint8Array]) -> Result<(JsValue, Array), String> {
    let attachments = Array::new();
    let transfer = Array::new();
    for array in bytes {
        attachments.push(array);
        transfer.push(&array.buffer());
    }
    Ok((envelope(encode(task)?, Some(&attachments))?, transfer))
}

/// A posted value as a helper task and its byte arrays; `None` for anything else (a page's
/// request).
pub fn read_helper_task(value: &JsValue) -> Option<(HelperTask, Array)> {
    let (message, attachment) = unwrap_envelope(value).ok()?;
    let task = decode::<HelperTask>(message).ok()?;
    Some((task, attachment.and_then(|a| a.dyn_into::<Array>().ok()).unwrap_or_default()))
}

/// A helper's reply, with its result's bytes beside it (transferred).
pub fn helper_reply(reply: &HelperReply, result: Option<&Uint8Array>) -> Result<(JsValue, Array), String> {
    let transfer = Array::new();
    if let Some(bytes) = result {
        transfer.push(&bytes.buffer());
    }
    Ok((envelope(encode(reply)?, result.map(AsRef::as_ref))?, transfer))
}

/// A posted value as a helper's reply and the bytes beside it; `None` for anything else (a
/// helper's `Ready`).
pub fn read_helper_reply(value: &JsValue) -> Option<(HelperReply, Option<Uint8Array>)> {
    let (message, attachment) = unwrap_envelope(value).ok()?;
    let reply = decode::<HelperReply>(message).ok()?;
    Some((reply, attachment.and_then(|a| a.dyn_into::<Uint8Array>().ok())))
}

/// Byte payloads above this size are transferred rather than copied.
const TRANSFER_MIN_BYTES: u32 = 64 * 1024;

fn collect_buffers(value: &JsValue, transfer: &js_sys::Array, depth: usize) {
    if depth > 4 || !value.is_object() {
        return;
    }
    if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
        if bytes.byte_length() >= TRANSFER_MIN_BYTES {
            transfer.push(&bytes.buffer());
        }
        return;
    }
    if js_sys::Array::is_array(value) {
        return;
    }
    let object: &Object = value.unchecked_ref();
    for entry in Object::values(object).iter() {
        collect_buffers(&entry, transfer, depth + 1);
    }
}
