//! Ctrl-C (SIGINT) and SIGTERM: turned into a flag that long-running work
//! polls or awaits, so a run stops cleanly and keeps what it measured. A
//! [`Interrupt::child`] is a local flag that also follows its parent, so one
//! piece of work (an auto warmup that reached steady state) can be stopped
//! without stopping the rest, while Ctrl-C still stops it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tokio::sync::Notify;

/// Shared view of whether the user asked to stop.
#[derive(Debug, Clone, Default)]
pub struct Interrupt {
    inner: Arc<Inner>,
    /// A flag whose raising raises this one too (see [`Interrupt::child`]).
    parent: Option<Box<Interrupt>>,
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

    /// A new flag, raised by its own [`Interrupt::raise`] or when `self` is
    /// raised; raising the child leaves `self` alone.
    pub fn child(&self) -> Self {
        Interrupt {
            inner: Arc::default(),
            parent: Some(Box::new(self.clone())),
        }
    }

    /// Marks the flag raised and wakes every waiter.
    pub fn raise(&self) {
        self.inner.raised.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// True once a stop was asked for.
    pub fn is_raised(&self) -> bool {
        self.inner.raised.load(Ordering::SeqCst)
            || self.parent.as_ref().is_some_and(|p| p.is_raised())
    }

    /// Completes when a stop is asked for (at once if it already was).
    pub async fn raised(&self) {
        match &self.parent {
            None => self.own_raised().await,
            Some(parent) => {
                tokio::select! {
                    _ = self.own_raised() => {}
                    _ = Box::pin(parent.raised()) => {}
                }
            }
        }
    }

    async fn own_raised(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.inner.raised.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Interrupt;

    #[test]
    fn a_child_follows_its_parent_but_not_the_other_way() {
        let parent = Interrupt::new();
        let child = parent.child();
        child.raise();
        assert!(child.is_raised());
        assert!(!parent.is_raised(), "raising the child stopped the parent");

        let child = parent.child();
        assert!(!child.is_raised());
        parent.raise();
        assert!(child.is_raised(), "the child missed its parent's raise");
    }

    #[test]
    fn waiting_on_a_child_ends_when_the_parent_is_raised() {
        let parent = Interrupt::new();
        let child = parent.child();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let raiser = parent.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(50));
            raiser.raise();
        });
        rt.block_on(async {
            tokio::time::timeout(std::time::Duration::from_secs(10), child.raised())
                .await
                .expect("the child's wait did not end when the parent was raised");
        });
    }
}
