//! A build's network: a network namespace of its own (made by root, so the build, which has
//! no capability there, cannot change it), with slirp4netns as a user-mode gateway to the
//! internet and an nftables filter inside the namespace built from the `EgressPolicy`.
//!
//! Why this shape: the package registries must stay reachable without a proxy setting
//! (npm, pip, git, cargo and curl all just connect), while nothing of the host is: slirp4netns
//! runs with `--disable-host-loopback` (its 10.0.2.2 does not lead to the host's 127.0.0.1),
//! and the filter refuses every special-purpose range and the host's own addresses before a
//! packet reaches slirp, so neither a literal address nor a DNS answer that points inside
//! gets through. DNS goes to slirp's forwarder (10.0.2.3), which asks the host's resolver.
//! IPv6 is refused whole. A filter that cannot be installed fails the step.
//!
//! The same network serves both backends: bubblewrap's sandbox is started inside the
//! namespace, and a Docker build joins the namespace of a holder container.

use super::sandbox::SandboxError;
use clouddeck_egress::{DENIED_V4, EgressPolicy};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::process::Stdio;
use tokio::io::AsyncReadExt;
use tokio::process::{Child, Command};

/// slirp4netns's DNS forwarder, the only private address a build may reach (port 53).
pub const DNS: &str = "10.0.2.3";

/// The gateway of one build's namespace; stops with the value (or with this process: slirp
/// exits when the pipe on its exit fd closes).
#[derive(Debug)]
pub struct BuildNetwork {
    slirp: Child,
}

impl BuildNetwork {
    /// Gives the network namespace of process `pid` its gateway and its filter.
    pub async fn attach(pid: u32, policy: &EgressPolicy) -> Result<Self, SandboxError> {
        // slirp4netns confines itself (a mount namespace of its own pivoted to nothing, no
        // capabilities but binding ports, seccomp); it is started in a private mount namespace
        // first, so that its unmounts never reach the host's (Docker's container roots among
        // them: without this, a container starting beside a build saw an empty root).
        let mut slirp = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--"])
            .arg(super::sandbox::which("slirp4netns")?)
            .args(["--configure", "--mtu=65520", "--disable-host-loopback", "--enable-sandbox", "--enable-seccomp"])
            // Ready fd: stdout gets a byte once the interface is up; exit fd: stdin closing.
            .args(["--ready-fd=1", "--exit-fd=0", &pid.to_string(), "tap0"])
            .env_clear()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| SandboxError::Confinement(format!("the build network needs slirp4netns: {e}")))?;
        let mut ready = [0u8; 1];
        let up = match slirp.stdout.as_mut() {
            Some(out) => {
                tokio::time::timeout(std::time::Duration::from_secs(10), out.read_exact(&mut ready)).await.is_ok()
            }
            None => false,
        };
        if !up {
            let mut reason = String::new();
            if let Some(mut err) = slirp.stderr.take() {
                let _ = tokio::time::timeout(std::time::Duration::from_secs(1), err.read_to_string(&mut reason)).await;
            }
            return Err(SandboxError::Confinement(format!("the build network did not come up: {}", reason.trim())));
        }
        let mut filter = Command::new("nsenter")
            .arg(format!("--net=/proc/{pid}/ns/net"))
            .args(["nft", "-f", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| SandboxError::Confinement(format!("the build network needs nft and nsenter: {e}")))?;
        if let Some(mut stdin) = filter.stdin.take() {
            use tokio::io::AsyncWriteExt;
            stdin
                .write_all(ruleset(policy).as_bytes())
                .await
                .map_err(|e| SandboxError::Confinement(format!("installing the build's network filter: {e}")))?;
        }
        let output = filter
            .wait_with_output()
            .await
            .map_err(|e| SandboxError::Confinement(format!("installing the build's network filter: {e}")))?;
        if !output.status.success() {
            return Err(SandboxError::Confinement(format!(
                "the build's network filter was refused: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            )));
        }
        Ok(BuildNetwork { slirp })
    }

    /// Stops the gateway.
    pub async fn stop(mut self) {
        let _ = self.slirp.kill().await;
    }
}

/// The nftables rules of a build's namespace: loopback and slirp's DNS forwarder pass, then
/// the operator's allowed ranges, then every special-purpose range and host address is
/// refused (TCP with a reset, so a connect fails at once), other IPv4 passes, and anything
/// else (IPv6, other families) is refused.
pub fn ruleset(policy: &EgressPolicy) -> String {
    let mut rules = String::from("table inet clouddeck {\n  chain output {\n");
    rules.push_str("    type filter hook output priority 0; policy drop;\n");
    rules.push_str("    oifname \"lo\" accept\n");
    let _ = writeln!(rules, "    ip daddr {DNS} meta l4proto {{ tcp, udp }} th dport 53 accept");
    let allowed: Vec<String> =
        policy.allowed().iter().filter(|net| matches!(net, ipnet::IpNet::V4(_))).map(|net| net.to_string()).collect();
    if !allowed.is_empty() {
        let _ = writeln!(rules, "    ip daddr {{ {} }} accept", allowed.join(", "));
    }
    let mut denied: Vec<String> =
        DENIED_V4.iter().map(|(net, len, _)| format!("{}.{}.{}.{}/{len}", net[0], net[1], net[2], net[3])).collect();
    denied.extend(policy.host_addresses().iter().filter_map(|a| match a {
        IpAddr::V4(v4) => Some(v4.to_string()),
        IpAddr::V6(_) => None,
    }));
    let _ = writeln!(rules, "    ip daddr {{ {} }} meta l4proto tcp reject with tcp reset", denied.join(", "));
    let _ = writeln!(rules, "    ip daddr {{ {} }} reject", denied.join(", "));
    rules.push_str("    meta nfproto ipv4 accept\n");
    rules.push_str("    meta l4proto tcp reject with tcp reset\n    reject\n  }\n}\n");
    rules
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_filter_refuses_what_the_policy_refuses_and_opens_what_the_operator_allows() {
        let policy = EgressPolicy::new(EgressPolicy::parse_allowed("10.9.0.0/16").unwrap())
            .with_host_addresses(["192.0.2.2".parse().unwrap()]);
        let rules = ruleset(&policy);
        assert!(rules.contains("policy drop"), "{rules}");
        let allow_at = rules.find("10.9.0.0/16").unwrap();
        let deny_at = rules.find("10.0.0.0/8").unwrap();
        assert!(allow_at < deny_at, "allowed ranges come first:\n{rules}");
        for denied in ["127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "192.0.2.2"]
        {
            assert!(rules.contains(denied), "{denied} missing:\n{rules}");
        }
    }
}
