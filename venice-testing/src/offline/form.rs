//! `multipart/form-data` request bodies, read with `multer` (RFC 7578): a
//! part's headers may come in any order, and a malformed form is a 400.

use std::convert::Infallible;

use serde_json::json;

use super::Reply;

/// One part of a form: its field name and content.
struct Part {
    name: String,
    data: Vec<u8>,
}

/// A request's form: every part, in order.
pub(crate) struct Form {
    parts: Vec<Part>,
}

impl Form {
    /// Reads a `multipart/form-data` body: 415 when the content type is another,
    /// 400 when the body is not a well-formed form.
    pub(crate) fn read(content_type: &str, body: &[u8]) -> Result<Form, Reply> {
        if !is_multipart(content_type) {
            return Err(Reply::error(415, "Invalid request content-type"));
        }
        let boundary = multer::parse_boundary(content_type).map_err(|e| {
            Reply::invalid(json!({"_errors": [format!("Invalid multipart content type: {e}")]}))
        })?;
        let chunk = bytes::Bytes::copy_from_slice(body);
        let stream = futures::stream::once(async move { Ok::<_, Infallible>(chunk) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        // The whole body is in memory: every poll is ready at once.
        futures::executor::block_on(async {
            let mut parts = Vec::new();
            while let Some(field) = multipart.next_field().await.map_err(malformed)? {
                let name = field.name().unwrap_or_default().to_owned();
                let data = field.bytes().await.map_err(malformed)?.to_vec();
                parts.push(Part { name, data });
            }
            Ok(Form { parts })
        })
    }

    /// The content of the (first) part named `name`.
    pub(crate) fn part(&self, name: &str) -> Option<&[u8]> {
        self.parts
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.data.as_slice())
    }

    /// The contents of every part named `name`, in order.
    pub(crate) fn parts(&self, name: &str) -> Vec<&[u8]> {
        self.parts
            .iter()
            .filter(|p| p.name == name)
            .map(|p| p.data.as_slice())
            .collect()
    }

    /// The part named `name` as text (`None` when absent or not UTF-8).
    pub(crate) fn text(&self, name: &str) -> Option<&str> {
        self.part(name).and_then(|v| std::str::from_utf8(v).ok())
    }
}

/// Whether a content type is `multipart/form-data`.
pub(crate) fn is_multipart(content_type: &str) -> bool {
    content_type
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
}

fn malformed(e: multer::Error) -> Reply {
    Reply::invalid(json!({"_errors": [format!("Invalid multipart body: {e}")]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CT: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn parts_are_found_whatever_the_header_order() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\nDATA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"scale\"\r\n\r\n4\r\n--XyZ--\r\n";
        let form = Form::read(CT, body).unwrap();
        assert_eq!(form.part("image"), Some(&b"PNG\r\nDATA"[..]));
        assert_eq!(form.text("scale"), Some("4"));
        assert_eq!(form.part("nope"), None);
        // Content-Type first (RFC 7578 fixes no order).
        let swapped = b"--XyZ\r\nContent-Type: image/png\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nPNG\r\n--XyZ--\r\n";
        let form = Form::read(CT, swapped).unwrap();
        assert_eq!(form.part("image"), Some(&b"PNG"[..]));
        let two = b"--XyZ\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.png\"\r\n\r\nA\r\n--XyZ\r\nContent-Disposition: form-data; name=\"images\"; filename=\"b.png\"\r\n\r\nBB\r\n--XyZ--\r\n";
        assert_eq!(
            Form::read(CT, two).unwrap().parts("images"),
            [&b"A"[..], &b"BB"[..]]
        );
        // A file name is not a field name.
        let named = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image\"\r\n\r\nX\r\n--XyZ--\r\n";
        assert_eq!(Form::read(CT, named).unwrap().part("image"), None);
    }

    #[test]
    fn malformed_forms_are_refused() {
        assert_eq!(
            Form::read(CT, b"garbage").err().map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            Form::read("multipart/form-data", b"")
                .err()
                .map(|r| r.status),
            Some(400)
        );
        assert_eq!(
            Form::read("application/json", b"{}")
                .err()
                .map(|r| r.status),
            Some(415)
        );
    }
}
