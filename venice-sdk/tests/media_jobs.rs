//! Media jobs end to end (`generate` → `Job` → `Media`), on the loopback: the
//! offline Venice for the job paths, the fault server for broken transfers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use support::{FaultServer, Reply, http, ok_json};
use venice_sdk::operations;
use venice_sdk::types::{QueueAudioRequest, QueueVideoRequest};
use venice_sdk::{
    Client, DownloadUrl, Error, Job, JobErrorKind, JobKind, JobTicket, JobUpdate, Progress,
    SizeLimit,
};
use venice_testing::{Answer, OFFLINE_API_KEY, OfflineVenice};

const VIDEO_MODEL: &str = "seedance-2-0-text-to-video";
const VPS_MODEL: &str = "offline-vps-text-to-video";
const MUSIC_MODEL: &str = "elevenlabs-music";
const FAST: Duration = Duration::from_millis(5);

/// A video request from the JSON Venice reads (it survives upstream reshaping
/// the type: a field turning optional, an enum turning into a string).
fn video(model: &str, prompt: &str) -> QueueVideoRequest {
    serde_json::from_value(serde_json::json!({
        "model": model, "prompt": prompt, "duration": "5s",
    }))
    .unwrap()
}

/// A video job queued on `client`, polled every few milliseconds.
async fn queued(client: &Client, model: &str, prompt: &str) -> Job {
    client
        .video()
        .generate(video(model, prompt))
        .await
        .unwrap()
        .poll_interval(FAST)
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("venice-media-jobs-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of the files in `dir`.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn job_kind(result: Result<impl std::fmt::Debug, Error>) -> JobErrorKind {
    match result {
        Err(Error::Job(e)) => e.kind.clone(),
        other => panic!("expected a job error, got {other:?}"),
    }
}

/// Every update of a job's progress, until its end.
async fn updates(job: &Job) -> (Vec<Progress>, Option<venice_sdk::Media>) {
    let mut stream = job.progress();
    let mut seen = Vec::new();
    let mut media = None;
    while let Some(update) = stream.next().await {
        match update.unwrap() {
            JobUpdate::Processing(p) => seen.push(p),
            JobUpdate::Ready(m) => media = Some(m),
            other => panic!("unexpected {other:?}"),
        }
    }
    (seen, media)
}

#[tokio::test]
async fn progress_grows_then_the_video_is_saved_whole_under_its_name() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let job = queued(&client, VIDEO_MODEL, "A gondola at dawn").await;
    assert_eq!(job.ticket().kind, JobKind::Video);
    assert_eq!(job.ticket().download_url, None);
    let (seen, media) = updates(&job).await;
    assert_eq!(seen.len(), 2, "{seen:?}");
    let fractions: Vec<f64> = seen.iter().map(|p| p.fraction.unwrap()).collect();
    assert!(
        fractions[0] > 0.0 && fractions[1] > fractions[0],
        "{fractions:?}"
    );
    assert!(fractions.iter().all(|f| *f <= 1.0));
    assert_eq!(seen[0].estimated_total, Some(Duration::from_secs(145)));
    assert!(seen[1].execution > seen[0].execution);
    assert_eq!((seen[0].polls, seen[1].polls), (1, 2));

    let mut media = media.expect("the video");
    assert_eq!(media.media_type(), Some("video/mp4"));
    let dir = scratch("save");
    let path = dir.join("gondola.mp4");
    let written = media.save(&path).await.unwrap();
    let file = std::fs::read(&path).unwrap();
    assert_eq!(written, file.len() as u64);
    assert_eq!(media.content_length(), Some(written));
    assert_eq!(&file[4..8], b"ftyp");
    assert_eq!(files(&dir), ["gondola.mp4"], "no temporary file is left");
    assert_eq!(venice.calls("retrieveVideo"), 3);

    job.complete().await.unwrap();
    assert_eq!(venice.calls("completeVideo"), 1);
    assert!(matches!(job_kind(job.poll().await), JobErrorKind::Expired));
}

#[tokio::test]
async fn music_waits_and_streams_into_a_writer_then_cleans_up_by_itself() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let request: QueueAudioRequest = serde_json::from_value(serde_json::json!({
        "model": MUSIC_MODEL, "prompt": "A calm piano piece", "duration_seconds": 10,
    }))
    .unwrap();
    let job = client
        .audio()
        .generate(request)
        .await
        .unwrap()
        .poll_interval(FAST)
        .cleanup_after_download(true);
    let mut media = job.wait().await.unwrap();
    assert_eq!(media.media_type(), Some("audio/mpeg"));
    let mut out = Vec::new();
    let written = media.download_to(&mut out).await.unwrap();
    assert_eq!(written, out.len() as u64);
    assert!(out.starts_with(b"ID3"));
    assert_eq!(
        venice.calls("completeAudio"),
        1,
        "cleaned up after the download"
    );
    assert!(matches!(job_kind(job.poll().await), JobErrorKind::Expired));
}

#[tokio::test]
async fn a_saved_ticket_resumes_the_job_after_a_restart() {
    let venice = OfflineVenice::start().await;
    let saved = {
        let client = venice.client();
        let job = client
            .video()
            .generate(video(VIDEO_MODEL, "Rain on the lagoon"))
            .await
            .unwrap();
        // One poll before "the restart".
        assert!(matches!(
            job.poll().await.unwrap(),
            JobUpdate::Processing(_)
        ));
        serde_json::to_string(job.ticket()).unwrap()
    };
    assert!(saved.contains("\"kind\":\"video\""), "{saved}");

    let client = venice.client();
    let ticket: JobTicket = serde_json::from_str(&saved).unwrap();
    let wrong = client.audio().resume(ticket.clone());
    assert!(
        matches!(wrong, Err(Error::InvalidRequest { .. })),
        "{wrong:?}"
    );
    let job = client
        .video()
        .resume(ticket.clone())
        .unwrap()
        .poll_interval(FAST);
    let (seen, media) = updates(&job).await;
    assert_eq!(seen.len(), 1, "one PROCESSING poll was left");
    let video = media.unwrap().bytes().await.unwrap();
    assert_eq!(&video[4..8], b"ftyp");
    // The same job by model and queue id.
    let again = client.video().job(&ticket.model, &ticket.queue_id);
    match again.poll().await.unwrap() {
        JobUpdate::Ready(mut media) => assert_eq!(media.bytes().await.unwrap(), video),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_503_while_polling_is_retried_and_the_wait_succeeds() {
    let venice = OfflineVenice::start().await;
    let client = venice
        .client_builder()
        .retry_backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap();
    let job = queued(&client, VIDEO_MODEL, "A bridge").await;
    venice.fail_next(&operations::RETRIEVE_VIDEO, Answer::status(503));
    venice.fail_next(
        &operations::RETRIEVE_VIDEO,
        Answer::error(500, "Internal error"),
    );
    let mut media = job.wait().await.unwrap();
    assert_eq!(&media.bytes().await.unwrap()[4..8], b"ftyp");
    assert_eq!(
        venice.calls("retrieveVideo"),
        5,
        "503, 500, 2 × PROCESSING, media"
    );

    // With retries off, the 503 ends the wait as itself (not a job error).
    let job = client
        .with_max_retries(0)
        .video()
        .generate(video(VIDEO_MODEL, "A bridge"))
        .await
        .unwrap();
    venice.fail_next(&operations::RETRIEVE_VIDEO, Answer::status(503));
    match job.wait().await {
        Err(Error::Api(e)) => assert_eq!(e.status, 503),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_deadline_ends_the_wait_quickly_with_a_typed_error() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let job = client
        .video()
        .generate(video(VIDEO_MODEL, "A slow one"))
        .await
        .unwrap()
        .poll_interval(Duration::from_secs(30))
        .deadline(Duration::from_millis(200));
    let started = Instant::now();
    let error = job.wait().await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(took >= Duration::from_millis(200), "{took:?}");
    let job_error = error.job().expect("a job error");
    assert_eq!(
        job_error.kind,
        JobErrorKind::DeadlineExceeded {
            after: Duration::from_millis(200)
        }
    );
    assert_eq!(
        job_error.polls, 2,
        "the first poll, then the deadline cut the wait"
    );
    let text = error.to_string();
    assert!(
        text.contains("deadline") && text.contains("resume"),
        "{text}"
    );
    assert_eq!(venice.calls("retrieveVideo"), 1);
}

#[tokio::test]
async fn expired_and_failed_jobs_are_typed_errors() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let expired = queued(&client, VIDEO_MODEL, "Gone [offline:expire]").await;
    let error = expired.wait().await.unwrap_err();
    assert_eq!(error.job().unwrap().kind, JobErrorKind::Expired);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert!(error.request_id().is_some());
    assert!(error.to_string().contains("404"), "{error}");

    let unknown = client.video().job(VIDEO_MODEL, "no-such-job");
    assert_eq!(job_kind(unknown.wait().await), JobErrorKind::Expired);

    let failed = queued(&client, VIDEO_MODEL, "Doomed [offline:fail]").await;
    match job_kind(failed.wait().await) {
        JobErrorKind::Failed { status, body } => {
            assert_eq!(status, "FAILED");
            assert!(body.contains("generation failed"), "{body}");
        }
        other => panic!("{other:?}"),
    }
    // A download_url job resumed without its URL says how to fix it.
    let vps = client
        .video()
        .generate(video(VPS_MODEL, "A bridge"))
        .await
        .unwrap();
    let bare = client
        .video()
        .job(VPS_MODEL, &vps.ticket().queue_id)
        .poll_interval(FAST);
    let error = bare.wait().await.unwrap_err();
    assert_eq!(error.job().unwrap().kind, JobErrorKind::NoMedia);
    assert!(error.to_string().contains("JobTicket"), "{error}");
}

#[test]
fn a_download_url_is_fetched_without_the_key_never_logged_and_revoked() {
    let url = Arc::new(Mutex::new(String::new()));
    let seen = Arc::clone(&url);
    let log = support::logged_without(&[OFFLINE_API_KEY], async move {
        let venice = OfflineVenice::start().await;
        let client = venice.client();
        let job = queued(&client, VPS_MODEL, "A bridge at night").await;
        let download = job.ticket().download_url.clone().unwrap();
        *seen.lock().unwrap() = download.expose().to_owned();
        assert!(!format!("{job:?}").contains("token="), "{job:?}");
        let mut media = job.wait().await.unwrap();
        assert_eq!(media.media_type(), None, "known once fetched");
        let dir = scratch("url");
        let path = dir.join("bridge.mp4");
        // The offline Venice refuses a download carrying an Authorization
        // header: success proves the key was not sent.
        let written = media.save(&path).await.unwrap();
        assert_eq!(media.media_type(), Some("video/mp4"));
        assert_eq!(std::fs::metadata(&path).unwrap().len(), written);
        assert_eq!(venice.calls("mediaDownload"), 1);
        job.complete().await.unwrap();
        assert_eq!(venice.calls("mediaRevoke"), 1);
        assert_eq!(venice.calls("completeVideo"), 0);
        let error = media.bytes().await.unwrap_err();
        assert_eq!(error.job().unwrap().kind, JobErrorKind::Expired);
        assert!(
            !format!("{error} {error:?}").contains("token="),
            "{error:?}"
        );
    });
    let url = url.lock().unwrap().clone();
    let token = url.split("token=").nth(1).unwrap();
    assert!(token.len() >= 16, "{url}");
    assert!(
        !log.contains(token),
        "the log holds the download token:\n{log}"
    );
}

fn mp4_body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn a_download_url_cut_mid_way_resumes_with_a_range() {
    let body = mp4_body(1000);
    let server = FaultServer::start(vec![
        ok_json(COMPLETED),
        Reply::Cut {
            status: 200,
            headers: vec![
                ("content-type".into(), "video/mp4".into()),
                ("etag".into(), "\"v1\"".into()),
            ],
            body: body.clone(),
            send: 400,
        },
        // A 206 carries the ETag the 200 had (RFC 9110 § 15.3.7): one
        // without it is not taken as the rest of the same file.
        http(
            206,
            &[
                ("content-type", "video/mp4"),
                ("etag", "\"v1\""),
                ("content-range", "bytes 400-999/1000"),
            ],
            body[400..].to_vec(),
        ),
    ])
    .await;
    let job = url_job(&server, "/dl/q1.mp4?token=T0KEN");
    let reports = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reports);
    let mut media = job
        .wait()
        .await
        .unwrap()
        .on_progress(move |written, total| seen.lock().unwrap().push((written, total)));
    let mut out = Vec::new();
    let written = media.download_to(&mut out).await.unwrap();
    assert_eq!(written, 1000);
    assert_eq!(out, body);
    // Progress grows across the cut, ends at the whole, never counts the
    // resumed range twice, and knows the length from the first response on.
    let reports = reports.lock().unwrap().clone();
    assert!(reports.len() >= 2, "{reports:?}");
    assert!(reports.windows(2).all(|w| w[0].0 < w[1].0), "{reports:?}");
    assert!(
        reports.iter().any(|r| r.0 == 400),
        "a report at the cut: {reports:?}"
    );
    assert_eq!(reports.last(), Some(&(1000, Some(1000))));
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 3);
    let heads: Vec<String> = requests
        .iter()
        .map(|r| String::from_utf8_lossy(r).to_ascii_lowercase())
        .collect();
    assert!(
        heads[0].contains("authorization: bearer"),
        "the poll is the API's"
    );
    for head in &heads[1..] {
        assert!(head.starts_with("get /dl/q1.mp4?token=t0ken"), "{head}");
        assert!(!head.contains("authorization"), "{head}");
    }
    assert!(!heads[1].contains("range:"), "{}", heads[1]);
    assert!(heads[2].contains("range: bytes=400-"), "{}", heads[2]);
    assert!(heads[2].contains("if-range: \"v1\""), "{}", heads[2]);
}

/// A job resumed from a ticket whose `download_url` is `path` on `server`.
fn url_job(server: &FaultServer, path: &str) -> Job {
    let url = format!("{}{path}", server.base);
    let ticket = JobTicket::new(JobKind::Video, VPS_MODEL, "q1")
        .with_download_url(Some(DownloadUrl::new(url)));
    server
        .client()
        .video()
        .resume(ticket)
        .unwrap()
        .poll_interval(FAST)
}

const COMPLETED: &str =
    r#"{"status": "COMPLETED", "average_execution_time": 1, "execution_duration": 1}"#;

#[tokio::test]
async fn a_download_url_that_redirects_is_followed_without_a_credential() {
    let body = mp4_body(700);
    let server = FaultServer::start(vec![
        ok_json(COMPLETED),
        http(302, &[("location", "/cdn/q1.mp4?sig=S1GNED")], ""),
        http(307, &[("location", "q1-eu.mp4?sig=S1GNED2")], ""),
        http(200, &[("content-type", "video/mp4")], body.clone()),
    ])
    .await;
    let mut media = url_job(&server, "/dl/q1.mp4?token=T0KEN")
        .wait()
        .await
        .unwrap();
    let mut out = Vec::new();
    assert_eq!(media.download_to(&mut out).await.unwrap(), 700);
    assert_eq!(out, body);
    let heads: Vec<String> = server
        .requests
        .lock()
        .unwrap()
        .iter()
        .map(|r| String::from_utf8_lossy(r).to_ascii_lowercase())
        .collect();
    assert_eq!(heads.len(), 4, "{heads:#?}");
    assert!(
        heads[1].starts_with("get /dl/q1.mp4?token=t0ken "),
        "{}",
        heads[1]
    );
    // An absolute path, then one relative to the last URL.
    assert!(
        heads[2].starts_with("get /cdn/q1.mp4?sig=s1gned "),
        "{}",
        heads[2]
    );
    assert!(
        heads[3].starts_with("get /cdn/q1-eu.mp4?sig=s1gned2 "),
        "{}",
        heads[3]
    );
    for head in &heads[1..] {
        assert!(!head.contains("authorization"), "{head}");
    }
}

#[tokio::test]
async fn a_redirect_loop_or_a_redirect_without_location_is_a_clear_error_without_the_url() {
    let mut replies = vec![ok_json(COMPLETED)];
    replies.extend((0..6).map(|i| http(302, &[("location", &*format!("/loop?sig=L00P{i}"))], "")));
    let server = FaultServer::start(replies).await;
    let mut media = url_job(&server, "/dl/q1.mp4").wait().await.unwrap();
    let error = media.download_to(&mut Vec::new()).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected the redirect's status, got {error:?}")
    };
    assert_eq!(api.status, 302);
    assert!(api.message.contains("more than 5 times"), "{}", api.message);
    assert_eq!(
        server.requests.lock().unwrap().len(),
        7,
        "1 poll, 1 + 5 fetches"
    );
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains("L00P"), "a redirect target leaked: {shown}");
    }

    let server = FaultServer::start(vec![ok_json(COMPLETED), http(303, &[], "")]).await;
    let mut media = url_job(&server, "/dl/q1.mp4").wait().await.unwrap();
    let error = media.download_to(&mut Vec::new()).await.unwrap_err();
    assert!(
        error.to_string().contains("without a usable Location"),
        "{error}"
    );
}

#[tokio::test]
async fn an_inline_video_cut_mid_way_is_fetched_again_and_the_written_bytes_skipped() {
    let body = mp4_body(1000);
    let server = FaultServer::start(vec![
        Reply::Cut {
            status: 200,
            headers: vec![
                ("content-type".into(), "video/mp4".into()),
                ("etag".into(), "\"v1\"".into()),
            ],
            body: body.clone(),
            send: 300,
        },
        // The server ignores the range: the whole file again, the same
        // strong ETag and length proving it is the same file.
        http(
            200,
            &[("content-type", "video/mp4"), ("etag", "\"v1\"")],
            body.clone(),
        ),
    ])
    .await;
    let client = server.client();
    let job = client.video().job(VIDEO_MODEL, "q1");
    let last = Arc::new(Mutex::new((0, None)));
    let seen = Arc::clone(&last);
    let mut media = job
        .wait()
        .await
        .unwrap()
        .on_progress(move |written, total| {
            let mut last = seen.lock().unwrap();
            assert!(
                written > last.0,
                "progress went from {} to {written}",
                last.0
            );
            *last = (written, total);
        });
    assert_eq!(media.content_length(), Some(1000));
    let dir = scratch("inline-cut");
    let path = dir.join("cut.mp4");
    assert_eq!(media.save(&path).await.unwrap(), 1000);
    assert_eq!(std::fs::read(&path).unwrap(), body);
    // The 300 bytes fetched again and skipped are not counted twice.
    assert_eq!(*last.lock().unwrap(), (1000, Some(1000)));
    assert_eq!(files(&dir), ["cut.mp4"]);
    let requests = server.requests.lock().unwrap().clone();
    let second = String::from_utf8_lossy(&requests[1]).to_ascii_lowercase();
    assert!(second.starts_with("post /video/retrieve"), "{second}");
    assert!(second.contains("range: bytes=300-"), "{second}");
}

#[tokio::test]
async fn a_transfer_that_keeps_breaking_leaves_no_file_and_says_how_far_it_got() {
    let body = mp4_body(1000);
    let server = FaultServer::start(vec![Reply::Cut {
        status: 200,
        headers: vec![("content-type".into(), "video/mp4".into())],
        body: body.clone(),
        send: 300,
    }])
    .await;
    let client = server.client().with_max_retries(1);
    let mut media = client.video().job(VIDEO_MODEL, "q1").wait().await.unwrap();
    let dir = scratch("broken");
    let error = media.save(dir.join("broken.mp4")).await.unwrap_err();
    match &error.job().unwrap().kind {
        JobErrorKind::Incomplete { written, expected } => {
            assert_eq!((*written, *expected), (300, Some(1000)));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains("broke off after 300 bytes of 1000"),
        "{error}"
    );
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
    // The poll (whose answer is the first transfer), then one resume, which
    // only re-reads the 300 bytes already written: no progress, and
    // max_retries = 1 allows no second one.
    assert_eq!(server.attempts(), 2);
}

#[tokio::test]
async fn dropping_the_stream_or_the_download_stops_everything() {
    let venice = OfflineVenice::start().await;
    let client = venice.client();
    let job = queued(&client, VIDEO_MODEL, "Dropped").await;
    let mut stream = job.progress();
    assert!(matches!(
        stream.next().await,
        Some(Ok(JobUpdate::Processing(_)))
    ));
    drop(stream);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        venice.calls("retrieveVideo"),
        1,
        "no polling after the drop"
    );

    // A download whose future is dropped mid-way (a trickling server).
    let server = FaultServer::start(vec![Reply::Trickle {
        content_type: "video/mp4",
        chunk: vec![7u8; 64],
        every: Duration::from_millis(10),
        times: 10_000,
    }])
    .await;
    let client = server.client();
    let mut media = client.video().job(VIDEO_MODEL, "q1").wait().await.unwrap();
    let dir = scratch("dropped");
    let path = dir.join("never.mp4");
    let cut = tokio::time::timeout(Duration::from_millis(150), media.save(&path)).await;
    assert!(cut.is_err(), "the download was still running");
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
    drop(media);
}

#[tokio::test]
async fn hostile_numbers_do_not_panic_and_unknown_statuses_fail() {
    let server = FaultServer::start(vec![
        ok_json(r#"{"status": "PROCESSING", "average_execution_time": -1e308, "execution_duration": 1.7e308}"#),
        ok_json(r#"{"status": "PROCESSING", "average_execution_time": "soon", "execution_duration": null}"#),
        ok_json(r#"{"status": "SOMETHING_NEW", "detail": "x"}"#),
    ])
    .await;
    let client = server.client();
    let job = client.audio().job(MUSIC_MODEL, "q1").poll_interval(FAST);
    let mut stream = job.progress();
    for _ in 0..2 {
        match stream.next().await {
            Some(Ok(JobUpdate::Processing(p))) => assert_eq!(p.fraction, None, "{p:?}"),
            other => panic!("{other:?}"),
        }
    }
    match stream.next().await {
        Some(Err(e)) => match &e.job().unwrap().kind {
            JobErrorKind::Failed { status, body } => {
                assert_eq!(status, "SOMETHING_NEW");
                assert!(body.contains("detail"), "{body}");
            }
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    assert!(stream.next().await.is_none(), "the error is the last item");
}

/// The limit a [`Error::BodyTooLarge`] names, and that its message names
/// the builder setting that raises it.
fn limit_hit(error: &Error) -> (u64, SizeLimit) {
    let Error::BodyTooLarge { limit, setting, .. } = error else {
        panic!("{error:?}");
    };
    let method = setting.to_string().replace("ClientBuilder::", "");
    assert!(error.to_string().contains(&method), "{error}");
    (*limit, *setting)
}

#[tokio::test]
async fn downloads_are_held_to_their_own_limit() {
    let venice = OfflineVenice::start().await;
    let client: Client = venice
        .client_builder()
        .max_download_size(100)
        .build()
        .unwrap();
    let job = queued(&client, VIDEO_MODEL, "Too big").await;
    let mut media = job.wait().await.unwrap();
    let mut out = Vec::new();
    let error = media.download_to(&mut out).await.unwrap_err();
    assert_eq!(limit_hit(&error), (100, SizeLimit::Download));
    assert!(error.to_string().contains("max_download_size"), "{error}");
    assert!(out.is_empty(), "refused from the declared length");
}

#[tokio::test]
async fn media_in_memory_is_held_to_the_smaller_limit_and_names_it() {
    let venice = OfflineVenice::start().await;
    for (response, download, hit) in [
        (100, 1 << 30, (100, SizeLimit::Response)),
        (64 << 20, 100, (100, SizeLimit::Download)),
    ] {
        let client: Client = venice
            .client_builder()
            .max_response_size(response)
            .max_download_size(download)
            .build()
            .unwrap();
        let job = queued(&client, VIDEO_MODEL, "Too big").await;
        let error = job.wait().await.unwrap().bytes().await.unwrap_err();
        assert_eq!(limit_hit(&error), hit);
    }
}

#[test]
fn jobs_streams_and_media_can_move_into_tasks() {
    fn sendable<T: Send + 'static>() {}
    sendable::<Job>();
    sendable::<venice_sdk::ProgressStream>();
    sendable::<venice_sdk::Media>();
    sendable::<JobTicket>();
    async fn waited(job: Job) {
        let _ = job.wait().await;
    }
    fn sendable_future<F: std::future::Future + Send + 'static>(_: fn(Job) -> F) {}
    sendable_future(waited);
}

// ---------------------------------------------------------------------------
// Resumed downloads never splice two versions of the media together

/// Another version of the media: other bytes, `len` of them.
fn other_body(len: usize) -> Vec<u8> {
    (0..len).map(|i| ((i % 241) as u8) ^ 0x5a).collect()
}

/// The first transfer of a `download_url`: `body` declared whole (with `etag`
/// when given), cut after 400 bytes.
fn cut_at_400(body: &[u8], etag: Option<&str>) -> Reply {
    let mut headers = vec![("content-type".to_owned(), "video/mp4".to_owned())];
    if let Some(etag) = etag {
        headers.push(("etag".to_owned(), etag.to_owned()));
    }
    Reply::Cut {
        status: 200,
        headers,
        body: body.to_vec(),
        send: 400,
    }
}

/// What a download of the media gave, three ways: into a writer
/// (`download_to`, which cannot start over), into memory (`bytes`), and
/// saved to a file (`save`, no temporary file left either way). Each runs
/// `script` (after the COMPLETED poll) on a server of its own.
async fn three_ways(script: &[Reply]) -> [Result<Vec<u8>, Error>; 3] {
    let start = || async {
        let mut replies = vec![ok_json(COMPLETED)];
        replies.extend(script.iter().cloned());
        let server = FaultServer::start(replies).await;
        let media = url_job(&server, "/dl/q1.mp4?token=T0KEN")
            .wait()
            .await
            .unwrap();
        (server, media)
    };
    let (_server, mut media) = start().await;
    let mut out = Vec::new();
    let written = media.download_to(&mut out).await.map(|n| {
        assert_eq!(n, out.len() as u64);
        out
    });
    let (_server, mut media) = start().await;
    let bytes = media.bytes().await.map(|b| b.to_vec());
    let (_server, mut media) = start().await;
    let dir = scratch(&format!("three-ways-{:08x}", fastrand::u32(..)));
    let path = dir.join("media.mp4");
    let saved = media.save(&path).await.map(|n| {
        let file = std::fs::read(&path).unwrap();
        assert_eq!(n, file.len() as u64);
        file
    });
    let left: Vec<String> = files(&dir)
        .into_iter()
        .filter(|f| f != "media.mp4")
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    [written, bytes, saved]
}

fn assert_changed(result: &Result<Vec<u8>, Error>) {
    match result {
        Err(Error::Job(e)) if e.kind == JobErrorKind::Changed => {
            let text = e.to_string();
            assert!(text.contains("changed"), "{text}");
            assert!(!text.contains("T0KEN"), "{text}");
        }
        Err(other) => panic!("expected JobErrorKind::Changed, got {other:?}"),
        Ok(bytes) => panic!(
            "expected JobErrorKind::Changed, got {} bytes (spliced: {})",
            bytes.len(),
            bytes.len() >= 400 && bytes[..400] == mp4_body(400)[..]
        ),
    }
}

fn assert_whole(result: &Result<Vec<u8>, Error>, expected: &[u8]) {
    match result {
        Ok(bytes) => assert!(
            bytes == expected,
            "expected the {} bytes of the new version, got {} bytes",
            expected.len(),
            bytes.len()
        ),
        Err(e) => panic!("expected the whole new version, got {e:?}"),
    }
}

#[tokio::test]
async fn a_200_to_a_resumed_range_starts_over_instead_of_splicing_the_new_version() {
    let (old, new) = (mp4_body(1000), other_body(1000));
    // If-Range carried "v1"; the file changed, so the server sends the new
    // version whole.
    let [writer, memory, file] = three_ways(&[
        cut_at_400(&old, Some("\"v1\"")),
        http(
            200,
            &[("content-type", "video/mp4"), ("etag", "\"v2\"")],
            new.clone(),
        ),
    ])
    .await;
    assert_changed(&writer);
    assert_whole(&memory, &new);
    assert_whole(&file, &new);
}

#[tokio::test]
async fn a_200_of_the_same_version_is_resumed_by_skipping_even_into_a_writer() {
    // A server that ignores Range: the same strong ETag and length prove the
    // same version, so the bytes already written are skipped.
    let body = mp4_body(1000);
    let [writer, memory, file] = three_ways(&[
        cut_at_400(&body, Some("\"v1\"")),
        http(
            200,
            &[("content-type", "video/mp4"), ("etag", "\"v1\"")],
            body.clone(),
        ),
    ])
    .await;
    assert_whole(&writer, &body);
    assert_whole(&memory, &body);
    assert_whole(&file, &body);
}

#[tokio::test]
async fn a_206_of_another_etag_or_without_the_first_etag_is_refused() {
    let (old, new) = (mp4_body(1000), other_body(1000));
    for etag in [Some("\"v2\""), None] {
        let mut headers = vec![
            ("content-type", "video/mp4"),
            ("content-range", "bytes 400-999/1000"),
        ];
        headers.extend(etag.map(|e| ("etag", e)));
        let [writer, memory, file] = three_ways(&[
            cut_at_400(&old, Some("\"v1\"")),
            http(206, &headers, new[400..].to_vec()),
            // Starting over: the new version, whole.
            http(
                200,
                &[("content-type", "video/mp4"), ("etag", "\"v2\"")],
                new.clone(),
            ),
        ])
        .await;
        assert_changed(&writer);
        assert_whole(&memory, &new);
        assert_whole(&file, &new);
    }
}

#[tokio::test]
async fn a_206_of_another_total_length_is_refused() {
    let (old, new) = (mp4_body(1000), other_body(1200));
    let [writer, memory, file] = three_ways(&[
        cut_at_400(&old, None),
        http(
            206,
            &[
                ("content-type", "video/mp4"),
                ("content-range", "bytes 400-1199/1200"),
            ],
            new[400..].to_vec(),
        ),
        http(200, &[("content-type", "video/mp4")], new.clone()),
    ])
    .await;
    assert_changed(&writer);
    assert_whole(&memory, &new);
    assert_whole(&file, &new);
}

#[tokio::test]
async fn a_new_body_shorter_than_what_was_written_is_not_taken_for_the_end() {
    let (old, new) = (mp4_body(1000), other_body(300));
    let [writer, memory, file] = three_ways(&[
        cut_at_400(&old, None),
        http(200, &[("content-type", "video/mp4")], new.clone()),
    ])
    .await;
    assert_changed(&writer);
    assert_whole(&memory, &new);
    assert_whole(&file, &new);
}

#[tokio::test]
async fn more_bytes_than_declared_is_an_error_never_a_longer_file() {
    let body = mp4_body(1000);
    let mut longer = body[400..].to_vec();
    longer.extend_from_slice(&[0xee; 300]);
    let [writer, memory, file] = three_ways(&[
        cut_at_400(&body, None),
        http(
            206,
            &[
                ("content-type", "video/mp4"),
                ("content-range", "bytes 400-999/1000"),
            ],
            longer,
        ),
    ])
    .await;
    for result in [&writer, &memory, &file] {
        assert_changed(result);
    }
}

#[tokio::test]
async fn a_host_that_changes_the_media_on_every_request_runs_out_of_retries() {
    let (old, new) = (mp4_body(1000), other_body(1000));
    // Every answer after the first is a range of another version (the last
    // reply repeats): starting over never gets anywhere.
    let mut replies = vec![ok_json(COMPLETED), cut_at_400(&old, Some("\"v1\""))];
    replies.push(http(
        206,
        &[
            ("content-type", "video/mp4"),
            ("etag", "\"v2\""),
            ("content-range", "bytes 400-999/1000"),
        ],
        new[400..].to_vec(),
    ));
    let server = FaultServer::start(replies).await;
    let mut media = url_job(&server, "/dl/q1.mp4?token=T0KEN")
        .wait()
        .await
        .unwrap();
    let started = Instant::now();
    let error = media.bytes().await.unwrap_err();
    assert_eq!(error.job().map(|e| &e.kind), Some(&JobErrorKind::Changed));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The poll, the first transfer, then max_retries (2) more: the resume
    // that found another version, and one start from byte 0.
    assert_eq!(server.attempts(), 4);

    // The same with whole new versions, each cut: each start over writes no
    // further than the first transfer did, so it is no progress.
    let mut replies = vec![ok_json(COMPLETED)];
    replies.extend((0..6).map(|i| cut_at_400(&other_body(1000), Some(&format!("\"v{i}\"")))));
    let server = FaultServer::start(replies).await;
    let client = server.client();
    let ticket = JobTicket::new(JobKind::Video, VPS_MODEL, "q1")
        .with_download_url(Some(DownloadUrl::new(format!("{}/dl/q1.mp4", server.base))));
    let mut media = client
        .video()
        .resume(ticket)
        .unwrap()
        .poll_interval(FAST)
        .wait()
        .await
        .unwrap();
    let error = media.bytes().await.unwrap_err();
    match &error.job().unwrap().kind {
        JobErrorKind::Incomplete { written, expected } => {
            assert_eq!((*written, *expected), (400, Some(1000)));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        server.attempts(),
        4,
        "the poll, then 1 + max_retries fetches"
    );
}

// ---------------------------------------------------------------------------
// A resume answered 416 when nothing was left to send

/// A `206` head for bytes 600–999 of 1000, chunked, then those 400 bytes in
/// one chunk and no end: the transfer breaks with every byte delivered.
fn whole_but_unfinished_206(body: &[u8]) -> Reply {
    let mut raw = b"HTTP/1.1 206 X\r\ncontent-type: video/mp4\r\netag: \"v1\"\r\ncontent-range: bytes 600-999/1000\r\ntransfer-encoding: chunked\r\n\r\n190\r\n".to_vec();
    raw.extend_from_slice(&body[600..]);
    raw.extend_from_slice(b"\r\n");
    Reply::Raw(raw)
}

#[tokio::test]
async fn a_416_for_exactly_what_was_written_completes_the_download() {
    let body = mp4_body(1000);
    let server = FaultServer::start(vec![
        ok_json(COMPLETED),
        Reply::Cut {
            status: 200,
            headers: vec![
                ("content-type".into(), "video/mp4".into()),
                ("etag".into(), "\"v1\"".into()),
            ],
            body: body.clone(),
            send: 600,
        },
        whole_but_unfinished_206(&body),
        http(416, &[("content-range", "bytes */1000")], ""),
    ])
    .await;
    let mut media = url_job(&server, "/dl/q1.mp4?token=T0KEN")
        .wait()
        .await
        .unwrap();
    let mut out = Vec::new();
    let written = media.download_to(&mut out).await.unwrap();
    assert_eq!((written, &out), (1000, &body));
    let requests = server.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 4);
    let last = String::from_utf8_lossy(&requests[3]).to_ascii_lowercase();
    assert!(last.contains("range: bytes=1000-"), "{last}");
}

#[tokio::test]
async fn a_416_of_another_length_is_the_media_changing() {
    let body = mp4_body(1000);
    let new = other_body(1200);
    let script = [
        Reply::Cut {
            status: 200,
            headers: vec![
                ("content-type".into(), "video/mp4".into()),
                ("etag".into(), "\"v1\"".into()),
            ],
            body: body.clone(),
            send: 600,
        },
        whole_but_unfinished_206(&body),
        http(416, &[("content-range", "bytes */1200")], ""),
        http(200, &[("content-type", "video/mp4")], new.clone()),
    ];
    let [writer, memory, file] = three_ways(&script).await;
    assert_changed(&writer);
    assert_whole(&memory, &new);
    assert_whole(&file, &new);
}

// ---------------------------------------------------------------------------
// Dropped saves leave no temporary file; downloads have an overall deadline

/// Waits (bounded) for the blocking pool's work on `dir` to end, then
/// returns its files.
async fn files_once_settled(dir: &Path) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(200)).await;
    files(dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_dropped_at_its_first_poll_or_mid_way_leaves_no_temporary_file() {
    let body = mp4_body(1000);
    let server = FaultServer::start(vec![http(200, &[("content-type", "video/mp4")], body)]).await;
    let client = server.client();
    for round in 0..10 {
        let mut media = client.video().job(VIDEO_MODEL, "q1").wait().await.unwrap();
        let dir = scratch(&format!("first-poll-{round}"));
        {
            let save = media.save(dir.join("never.mp4"));
            let mut save = std::pin::pin!(save);
            assert!(futures::poll!(save.as_mut()).is_pending());
        }
        assert_eq!(files_once_settled(&dir).await, Vec::<String>::new());
    }

    // Mid-way: a trickling server, the future dropped while it writes.
    let server = FaultServer::start(vec![Reply::Trickle {
        content_type: "video/mp4",
        chunk: vec![7u8; 4096],
        every: Duration::from_millis(1),
        times: 100_000,
    }])
    .await;
    let client = server.client();
    for (round, after) in [5u64, 20, 60].into_iter().enumerate() {
        let mut media = client.video().job(VIDEO_MODEL, "q1").wait().await.unwrap();
        let dir = scratch(&format!("mid-way-{round}"));
        let cut = tokio::time::timeout(
            Duration::from_millis(after),
            media.save(dir.join("never.mp4")),
        )
        .await;
        assert!(cut.is_err(), "the download was still running");
        assert_eq!(files_once_settled(&dir).await, Vec::<String>::new());
    }
}

#[tokio::test]
async fn the_stream_timeout_bounds_a_whole_download_from_a_trickling_host() {
    let server = FaultServer::start(vec![Reply::Trickle {
        content_type: "video/mp4",
        chunk: vec![7u8; 64],
        every: Duration::from_millis(10),
        times: 10_000,
    }])
    .await;
    let client = server
        .client()
        .with_stream_timeout(Duration::from_millis(300))
        .unwrap();
    let mut media = client.video().job(VIDEO_MODEL, "q1").wait().await.unwrap();
    let dir = scratch("trickle-deadline");
    let started = Instant::now();
    let ended = tokio::time::timeout(Duration::from_secs(5), media.save(dir.join("slow.mp4")))
        .await
        .expect("the download should end at the stream timeout");
    let took = started.elapsed();
    match ended {
        Err(Error::Timeout { limit, after, .. }) => {
            assert_eq!(limit, venice_sdk::TimeoutKind::Stream);
            assert_eq!(after, Duration::from_millis(300));
        }
        other => panic!("expected the stream timeout, got {other:?}"),
    }
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(files(&dir).is_empty(), "{:?}", files(&dir));
}

// ---------------------------------------------------------------------------
// Once https://, always https://

/// A client of the TLS loopback server, trusting its test CA.
#[cfg(feature = "rustls")]
fn tls_client(server: &support::tls::TlsServer) -> Client {
    Client::builder()
        .api_key(support::KEY)
        .base_url(&server.base)
        .http_client(support::tls::TlsServer::http_client())
        .retry_backoff(Duration::from_millis(5), Duration::from_millis(20))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The media of a job whose `download_url` is `url`, polled on `server`.
#[cfg(feature = "rustls")]
async fn tls_media(server: &support::tls::TlsServer, url: String) -> venice_sdk::Media {
    let ticket = JobTicket::new(JobKind::Video, VPS_MODEL, "q1")
        .with_download_url(Some(DownloadUrl::new(url)));
    tls_client(server)
        .video()
        .resume(ticket)
        .unwrap()
        .poll_interval(FAST)
        .wait()
        .await
        .unwrap()
}

#[cfg(feature = "rustls")]
#[tokio::test]
async fn an_https_client_never_downloads_over_plain_http_even_on_loopback() {
    let body = mp4_body(100);
    let plain = FaultServer::start(vec![http(
        200,
        &[("content-type", "video/mp4")],
        body.clone(),
    )])
    .await;

    // A download_url that is plain http:// itself: refused before sending.
    let tls = support::tls::TlsServer::start(vec![ok_json(COMPLETED)]).await;
    let url = format!("{}/dl/q1.mp4?token=T0KEN", plain.base);
    let mut media = tls_media(&tls, url).await;
    let error = media.download_to(&mut Vec::new()).await.unwrap_err();
    assert!(matches!(error, Error::InvalidRequest { .. }), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("plain http://"), "{shown}");
    assert!(!shown.contains("T0KEN"), "{shown}");

    // An https:// download_url redirected to plain http:// on loopback.
    let target = format!("{}/cdn/q1.mp4?sig=S1GNED", plain.base);
    let tls = support::tls::TlsServer::start(vec![
        ok_json(COMPLETED),
        http(302, &[("location", &target)], ""),
    ])
    .await;
    let url = format!("{}/dl/q1.mp4?token=T0KEN", tls.base);
    let mut media = tls_media(&tls, url).await;
    let error = media.download_to(&mut Vec::new()).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("expected the redirect's status, got {error:?}")
    };
    assert_eq!(api.status, 302);
    assert!(
        api.message.contains("https:// to plain http://"),
        "{}",
        api.message
    );
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("S1GNED") && !shown.contains("T0KEN"),
        "{shown}"
    );
    assert_eq!(plain.attempts(), 0, "the plain http:// server was reached");

    // An https:// hop is followed as before.
    let tls = support::tls::TlsServer::start(vec![
        ok_json(COMPLETED),
        http(302, &[("location", "/cdn/q1.mp4?sig=S1GNED")], ""),
        http(200, &[("content-type", "video/mp4")], body.clone()),
    ])
    .await;
    let url = format!("{}/dl/q1.mp4?token=T0KEN", tls.base);
    let mut media = tls_media(&tls, url).await;
    assert_eq!(media.bytes().await.unwrap(), body);
}
