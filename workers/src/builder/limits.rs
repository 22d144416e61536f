//! What one build may use. Every limit holds for every step of every build, on both
//! backends, or the build does not start: a limit the host cannot enforce is a platform
//! error, never a warning.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Wall-clock time for the whole build (install and build steps together).
    pub timeout: Duration,
    /// Memory (resident and page cache charged to the build), in bytes; no swap.
    pub memory_bytes: u64,
    /// CPU time per wall-clock second, in cores (1.0 = one core).
    pub cpus: f64,
    /// Processes and threads alive at once.
    pub processes: u64,
    /// The build's own filesystem (source, dependencies, output, home, `/tmp`), in bytes.
    pub disk_bytes: u64,
}

impl Default for Limits {
    /// 15 minutes, 2 GiB of memory, 2 cores, 1,024 processes and 10 GiB of disk: in the range
    /// Vercel's and Netlify's build machines give (each a setting, see the README).
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(900),
            memory_bytes: 2 << 30,
            cpus: 2.0,
            processes: 1024,
            disk_bytes: 10 << 30,
        }
    }
}
