//! Ctrl-C (SIGINT) and SIGTERM: turned into a flag that long-running work
//! polls or awaits, so a run stops cleanly and keeps what it measured.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::Notify;

/// Shared view of whether the user asked to stop.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    raised: AtomicBool,
    notify: Notify,
}

impl Interrupt {
    /// A flag that nothing raises except [`Interrupt::raise`] (for tests).
    pub fn new() -> Self {
        Self::default()
    }

    /// The process-wide flag, wired to SIGINT and SIGTERM on first use.
    pub fn global() -> Self {
        static GLOBAL: OnceLock<Interrupt> = OnceLock::new();
        GLOBAL
            .get_or_init(|| {
                let flag = Interrupt::new();
                let for_thread = flag.clone();
                std::thread::Builder::new()
                    .name("gauntlet-signals".into())
                    .spawn(move || {
                        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                            .enable_io()
                            .build()
                        else {
                            return;
                        };
                        rt.block_on(async move {
                            use tokio::signal::unix::{signal, SignalKind};
                            let (Ok(mut int), Ok(mut term)) = (
                                signal(SignalKind::interrupt()),
                                signal(SignalKind::terminate()),
                            ) else {
                                return;
                            };
                            tokio::select! {
                                _ = int.recv() => {}
                                _ = term.recv() => {}
                            }
                            for_thread.raise();
                        });
                    })
                    .ok();
                flag
            })
            .clone()
    }

    /// Marks the flag raised and wakes every waiter.
    pub fn raise(&self) {
        self.inner.raised.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// True once a stop was asked for.
    pub fn is_raised(&self) -> bool {
        self.inner.raised.load(Ordering::SeqCst)
    }

    /// Completes when a stop is asked for (at once if it already was).
    pub async fn raised(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_raised() {
                return;
            }
            notified.await;
        }
    }
}
