//! Which addresses a link preview may reach: public unicast ones only. A
//! name is resolved here and refused when any of its addresses is not
//! public; the connection then goes to those very addresses (no second
//! lookup a rebinding DNS could answer differently).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Whether `ip` is a public unicast address: not loopback, private,
/// link-local, shared (CGNAT), documentation, benchmarking, multicast,
/// reserved or unspecified; an IPv6 address that embeds an IPv4 one
/// (mapped, NAT64) is judged by it.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(a == 0                                   // "this network"
        || ip.is_loopback()                    // 127/8
        || ip.is_private()                     // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()                  // 169.254/16 (cloud metadata)
        || (a == 100 && (64..128).contains(&b)) // 100.64/10 shared
        || (a == 192 && b == 0 && c == 0)      // 192.0.0/24 protocol assignments
        || ip.is_documentation()               // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b == 18 || b == 19))  // 198.18/15 benchmarking
        || ip.is_multicast()                   // 224/4
        || a >= 240) // 240/4 reserved, and the broadcast address
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [_, _, _, _, _, _, hi, lo] = segments;
        return is_public_v4(Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo)));
    }
    // Global unicast is 2000::/3; within it, documentation (2001:db8::/32),
    // Teredo and other IETF assignments under 2001::/23, and 6to4 (2002::/16,
    // an IPv4 address in disguise) are refused.
    (segments[0] & 0xe000) == 0x2000
        && !(segments[0] == 0x2001 && segments[1] == 0x0db8)
        && !(segments[0] == 0x2001 && segments[1] < 0x0200)
        && segments[0] != 0x2002
}

/// The error a refused name gives (found again in reqwest's error chain).
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to an address that is not public")]
pub struct NotPublic(pub String);

/// A resolver for reqwest that answers only names whose every address is
/// public.
pub struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if found.is_empty() || found.iter().any(|addr| !is_public(addr.ip())) {
                return Err(Box::new(NotPublic(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_unicast_addresses_are_public() {
        let refused = [
            "0.0.0.0",
            "0.1.2.3",
            "127.0.0.1",
            "127.8.9.10",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "192.0.0.8",
            "192.0.2.1",
            "198.51.100.7",
            "203.0.113.9",
            "198.18.0.1",
            "198.19.255.1",
            "224.0.0.1",
            "239.1.1.1",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
            "2002:7f00:1::1",
        ];
        for address in refused {
            assert!(!is_public(address.parse().unwrap()), "{address} must be refused");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "185.24.187.1",
            "172.32.0.1",
            "100.128.0.1",
            "2a01:e0a::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2606:4700::1111",
        ];
        for address in public {
            assert!(is_public(address.parse().unwrap()), "{address} is public");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_a_name_of_the_loopback() {
        let resolved = PublicOnly.resolve("localhost".parse().unwrap()).await;
        let error = resolved.err().expect("localhost is refused");
        assert!(error.downcast_ref::<NotPublic>().is_some(), "{error}");
    }
}
