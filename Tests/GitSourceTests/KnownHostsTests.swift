import Foundation
import Testing

@testable import GitSource

@Suite("SSH host keys against known_hosts")
struct KnownHostsTests {
    static let key1 = "AAAAC3NzaC1lZDI1NTE5AAAAICFpe+9M09fgAxEdhl96zBtg5w/M4ZqF5DG7rhT8r6z7"
    static let key2 = "AAAAC3NzaC1lZDI1NTE5AAAAIK/DdfjoS5eiUHIxHngmik8nI26BpkqFVp2KFBl6otRl"
    static let rsaKey =
        "AAAAB3NzaC1yc2EAAAADAQABAAAAgQC5US8/9cf4K4JR83bbU+uQmiRotz6l1iBmG0zusj5oCW9qdBCNRQcSkHy4i/A/85b+gzi4Hcf+cYp86C8u2V1Hlh2mfsJiRj6+xHPKEW+WPSE8LrNtdsRjkrYbuYKyGMhzUXQh5oIRNWM7MHa4ORxtxWvIuxn+mpYU2NRvpfobRQ=="

    static func bytes(_ base64: String) -> [UInt8] { [UInt8](Data(base64Encoded: base64)!) }

    @Test("plain entries: trusted, mismatch, unknown host, other port, wildcard and negation")
    func plainEntries() {
        let hosts = KnownHosts(
            text: """
                # comment
                git.example.com,10.0.0.1 ssh-ed25519 \(Self.key1)
                [git.example.com]:2222 ssh-ed25519 \(Self.key2)
                *.corp.example,!evil.corp.example ssh-ed25519 \(Self.key2)
                not-a-valid-line
                """)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.key1)) == .trusted)
        #expect(hosts.verdict(host: "GIT.example.com", port: 22, key: Self.bytes(Self.key1)) == .trusted)
        #expect(hosts.verdict(host: "10.0.0.1", port: nil, key: Self.bytes(Self.key1)) == .trusted)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.key2)) == .mismatch)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.rsaKey)) == .unknown)
        #expect(hosts.verdict(host: "other.example.com", port: nil, key: Self.bytes(Self.key1)) == .unknown)
        #expect(hosts.verdict(host: "git.example.com", port: 2222, key: Self.bytes(Self.key2)) == .trusted)
        #expect(hosts.verdict(host: "git.example.com", port: 2222, key: Self.bytes(Self.key1)) == .mismatch)
        #expect(hosts.verdict(host: "src.corp.example", port: nil, key: Self.bytes(Self.key2)) == .trusted)
        #expect(hosts.verdict(host: "evil.corp.example", port: nil, key: Self.bytes(Self.key2)) == .unknown)
    }

    @Test("hashed entries written by ssh-keygen -H match their host names")
    func hashedEntries() {
        let hosts = KnownHosts(
            text: """
                |1|DfPDgVeyrTa0lgTEt00pl/aQ1A8=|Ob8Rdj5Ra4E4vq/O+1WhTo25gSg= ssh-ed25519 \(Self.key1)
                |1|5TLYJ+Wnx2GAH0i3wGf8vW+iYDc=|jY2FHnCwbIk4kMYfJ57FEX6VAXw= ssh-ed25519 \(Self.key2)
                """)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.key1)) == .trusted)
        #expect(hosts.verdict(host: "git.example.com", port: 2222, key: Self.bytes(Self.key2)) == .trusted)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.key2)) == .mismatch)
        #expect(hosts.verdict(host: "git.example.org", port: nil, key: Self.bytes(Self.key1)) == .unknown)
    }

    @Test("a @revoked key is refused even when another line trusts it")
    func revokedKeys() {
        let hosts = KnownHosts(
            text: """
                git.example.com ssh-ed25519 \(Self.key1)
                @revoked * ssh-ed25519 \(Self.key1)
                @cert-authority * ssh-ed25519 \(Self.key2)
                """)
        #expect(hosts.verdict(host: "git.example.com", port: nil, key: Self.bytes(Self.key1)) == .revoked)
        // @cert-authority lines are ignored: host certificates are not supported.
        #expect(hosts.verdict(host: "other.example.com", port: nil, key: Self.bytes(Self.key2)) == .unknown)
    }

    @Test("key types are read from the wire format")
    func keyTypes() {
        #expect(KnownHosts.keyType(ofWireKey: Self.bytes(Self.key1)) == "ssh-ed25519")
        #expect(KnownHosts.keyType(ofWireKey: Self.bytes(Self.rsaKey)) == "ssh-rsa")
        #expect(KnownHosts.keyType(ofWireKey: [0, 0]) == nil)
    }

    @Test("SHA-1 and HMAC-SHA-1 match the published test vectors")
    func sha1Vectors() {
        func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA1.hash(Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(hex(SHA1.hash([])) == "da39a3ee5e6b4b0d3255bfef95601890afd80709")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA1.hash(long)) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1")
        // RFC 2202, test cases 1 and 6 (a key longer than the block).
        #expect(
            hex(SHA1.hmac(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
                == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(
            hex(
                SHA1.hmac(
                    key: [UInt8](repeating: 0xaa, count: 80),
                    message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
                == "aa4ae5e15272d00e95705637ce8a3b55ed402112")
    }
}
