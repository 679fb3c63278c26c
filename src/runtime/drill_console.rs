//! A drill in the console, on the runtime side: its virtual clock, the
//! simulated estate and the sim poller's command channel. [`DrillRig`]
//! carries out the drill's [`DrillWork`] and reads the drill's time and
//! what the estate shows into [`DrillMsg`]s; it judges nothing and holds
//! no screen (the root model's drill desk does).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::app::{DrillMsg, DrillWork, Msg, ReportFiled};
use crate::domain::drill::referee::{EstateAtEnd, Event};
use crate::domain::drill::scenario::{Inject, InjectKind};
use crate::domain::time::Timestamp;
use crate::runtime::drill::estate::{self, EstateWatch};
use crate::sources::clock::{Clock, VirtualClock};
use crate::sources::sim::SimEstate;
use crate::sources::sim_source::SimCommand;

/// The drill's clock and estate.
pub struct DrillRig {
    clock: Arc<VirtualClock>,
    estate: Arc<Mutex<SimEstate>>,
    sim: tokio::sync::mpsc::UnboundedSender<SimCommand>,
    /// The drill's start on the virtual clock.
    start: Timestamp,
    /// Where the report goes when the drill ends.
    report_dir: Option<PathBuf>,
    watch: EstateWatch,
}

impl DrillRig {
    /// A rig for a drill starting at `start`; the clock is paused until
    /// the facilitator starts the drill.
    #[must_use]
    pub fn new(
        clock: Arc<VirtualClock>,
        estate: Arc<Mutex<SimEstate>>,
        sim: tokio::sync::mpsc::UnboundedSender<SimCommand>,
        start: Timestamp,
        report_dir: Option<PathBuf>,
    ) -> Self {
        clock.set_paused(true);
        Self {
            clock,
            estate,
            sim,
            start,
            report_dir,
            watch: EstateWatch::default(),
        }
    }

    /// Drill time now.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.clock.now().since(self.start)
    }

    /// The clock moved: drill time and what the estate showed since the
    /// last tick.
    pub fn tick(&mut self) -> Msg {
        let elapsed = self.elapsed();
        let seen = match self.estate.lock() {
            Ok(s) => self.watch.look(&s, self.start, elapsed),
            Err(_) => Vec::new(),
        };
        Msg::Drill(DrillMsg::Tick { elapsed, seen })
    }

    /// Carries out one piece of the drill's work; most answer at once.
    pub fn carry_out(&mut self, work: DrillWork) -> Option<Msg> {
        let answer = match work {
            DrillWork::Clock(on) => {
                self.clock.set_paused(!on);
                return None;
            }
            DrillWork::Speed(x) => {
                self.clock.set_speed(f64::from(x));
                return None;
            }
            DrillWork::JumpTo(t) => {
                self.clock.jump_to(self.start.plus(t));
                return None;
            }
            DrillWork::Apply { inject, at } => {
                DrillMsg::Saw(estate::inject_event(&inject, at, self.apply(&inject)))
            }
            DrillWork::GateOpened { at, run, step } => {
                let dashboard = self
                    .estate
                    .lock()
                    .map(|s| super::drill::dashboard_text(&s))
                    .unwrap_or_default();
                DrillMsg::Saw(Event::GateOpened {
                    at,
                    run,
                    step,
                    dashboard,
                })
            }
            DrillWork::ReadEstateAtEnd => DrillMsg::EstateAtEnd(
                self.estate
                    .lock()
                    .map_or_else(|_| EstateAtEnd::default(), |s| estate::at_end(&s)),
            ),
            DrillWork::WriteReport(report) => DrillMsg::ReportFiled(match &self.report_dir {
                Some(dir) => match super::drill::write_report(dir, &report) {
                    Ok(()) => {
                        log::info!(
                            "drill report written to {} (the drill ended at T+{}s simulated)",
                            dir.display(),
                            report.duration_seconds
                        );
                        ReportFiled::Written(dir.clone())
                    }
                    Err(e) => {
                        log::error!(
                            "the drill report could not be written to {}: {e}",
                            dir.display()
                        );
                        ReportFiled::Failed {
                            dir: dir.clone(),
                            error: e.to_string(),
                        }
                    }
                },
                None => ReportFiled::NotAsked,
            }),
        };
        Some(Msg::Drill(answer))
    }

    /// Hands an inject to the sim poller if the estate can take it.
    fn apply(&self, inject: &Inject) -> Result<(), String> {
        self.estate
            .lock()
            .map_err(|_| "the simulated estate is unavailable".to_owned())
            .and_then(|s| estate::accepts(&s, inject))?;
        let cmd = match &inject.kind {
            InjectKind::Fault(f) => SimCommand::Inject(f.clone()),
            InjectKind::ClearFaults => SimCommand::ClearAll,
            InjectKind::Message { .. } => return Ok(()),
        };
        self.sim
            .send(cmd)
            .map_err(|_| "the simulator is not running".to_owned())
    }
}
