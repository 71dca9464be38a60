using System.Net;
using Bifrost.Protocols.Dhcp;
using Bifrost.Servers.Dhcp;
using NUnit.Framework;
using static Bifrost.Servers.Tests.Dhcp.Packets;

namespace Bifrost.Servers.Tests.Dhcp;

/// <summary>The responder's rules as a table: packet in (after setting the scene) → packet out, one row per rule.</summary>
public class ResponderTests
{
    /// <summary>One rule: settings, a scene (earlier exchanges), the request and its context, and what must come out.</summary>
    public sealed record Case(
        DhcpResponderSettings Settings,
        Action<DhcpResponder>? Scene,
        DhcpPacket Request,
        DhcpRequestContext Context,
        Action<DhcpDecision> Expect);

    private static TestCaseData Row(string rule, Case c) => new TestCaseData(c).SetName(rule);

    private static Case FullCase(DhcpPacket request, Action<DhcpDecision> expect, Action<DhcpResponder>? scene = null,
        DhcpRequestContext? context = null, Func<DhcpResponderSettings, DhcpResponderSettings>? settings = null) =>
        new(Full(settings), scene, request, context ?? Context(), expect);

    private static void Offers(DhcpDecision d, string address, string? file = null, string destination = "255.255.255.255:68") =>
        Replies(d, DhcpMessageType.Offer, address, file, destination);

    private static void Replies(DhcpDecision d, DhcpMessageType type, string yiaddr, string? file, string destination)
    {
        Assert.That(d.Reply, Is.Not.Null, d.Summary);
        var reply = OverTheWire(d.Reply!);
        Assert.That(reply.Op, Is.EqualTo(BootpOp.BootReply));
        Assert.That(reply.MessageType, Is.EqualTo(type));
        Assert.That(reply.TransactionId, Is.EqualTo(0x1234u));
        Assert.That(reply.YourAddress.ToString(), Is.EqualTo(yiaddr));
        Assert.That(reply.Options.GetAddress(DhcpOptionCode.ServerIdentifier), Is.EqualTo(Server));
        Assert.That(reply.BootFile, Is.EqualTo(file ?? ""));
        Assert.That(d.Destination!.ToString(), Is.EqualTo(destination));
    }

    private static void Silent(DhcpDecision d, string reason)
    {
        Assert.That(d.Reply, Is.Null);
        Assert.That(d.Summary, Does.Contain(reason));
    }

    private static DhcpPacket Selecting(string address, string mac = Mac) => Request(DhcpMessageType.Request, mac).With(p =>
    {
        p.Options.SetAddress(DhcpOptionCode.ServerIdentifier, Server);
        p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, IPAddress.Parse(address));
    });

    private static DhcpPacket InitReboot(string address, string mac = Mac) => Request(DhcpMessageType.Request, mac)
        .With(p => p.Options.SetAddress(DhcpOptionCode.RequestedIpAddress, IPAddress.Parse(address)));

    private static void Dora(DhcpResponder r, string mac = Mac)
    {
        var offer = r.Respond(Request(DhcpMessageType.Discover, mac), Context());
        r.Respond(Selecting(offer.Reply!.YourAddress.ToString(), mac), Context());
    }

    private static IEnumerable<TestCaseData> FullMode()
    {
        yield return Row("discover from a plain client → offer of the first pool address, no boot file, broadcast",
            FullCase(Request(DhcpMessageType.Discover), d => Offers(d, "10.0.0.100")));
        yield return Row("an offer carries lease time, T1 = 0.5, T2 = 0.875, mask, router, dns and domain",
            FullCase(Request(DhcpMessageType.Discover), d =>
            {
                var o = OverTheWire(d.Reply!).Options;
                Assert.That(o.GetUInt32(DhcpOptionCode.LeaseTime), Is.EqualTo(3600));
                Assert.That(o.GetUInt32(DhcpOptionCode.RenewalTime), Is.EqualTo(1800));
                Assert.That(o.GetUInt32(DhcpOptionCode.RebindingTime), Is.EqualTo(3150));
                Assert.That(o.GetAddress(DhcpOptionCode.SubnetMask), Is.EqualTo(IPAddress.Parse("255.255.255.0")));
                Assert.That(o.GetAddress(DhcpOptionCode.Router), Is.EqualTo(Server));
                Assert.That(o.GetAddress(DhcpOptionCode.DomainNameServer), Is.EqualTo(Server));
                Assert.That(o.GetString(DhcpOptionCode.DomainName), Is.EqualTo("lab.test"));
            }));
        yield return Row("BIOS PXE (arch 0) → undionly.kpxe from next-server, PXEClient echoed, discovery control 8",
            FullCase(Request(DhcpMessageType.Discover).Pxe(0), d =>
            {
                Offers(d, "10.0.0.100", "undionly.kpxe");
                var reply = OverTheWire(d.Reply!);
                Assert.That(reply.ServerAddress, Is.EqualTo(IPAddress.Parse("10.0.0.2")));
                Assert.That(reply.Options.GetString(DhcpOptionCode.VendorClassIdentifier), Is.EqualTo("PXEClient"));
                Assert.That(reply.Options.Get(DhcpOptionCode.VendorSpecific), Is.EqualTo(new byte[] { 6, 1, 8 }));
                Assert.That(reply.Options.GetString(DhcpOptionCode.TftpServerName), Is.EqualTo("10.0.0.2"));
            }));
        yield return Row("a PXE ROM without option 93 is read from its vendor class (arch 0 → undionly.kpxe)",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Options.SetString(60, "PXEClient:Arch:00000:UNDI:002001")),
                d => Offers(d, "10.0.0.100", "undionly.kpxe")));
        yield return Row("x64 UEFI (arch 7) → ipxe.efi",
            FullCase(Request(DhcpMessageType.Discover).Pxe(7), d => Offers(d, "10.0.0.100", "ipxe.efi")));
        yield return Row("x64 UEFI (arch 9) → ipxe.efi",
            FullCase(Request(DhcpMessageType.Discover).Pxe(9), d => Offers(d, "10.0.0.100", "ipxe.efi")));
        yield return Row("x64 UEFI with UefiBootFile snponly.efi → snponly.efi",
            FullCase(Request(DhcpMessageType.Discover).Pxe(7), d => Offers(d, "10.0.0.100", "snponly.efi"),
                settings: s => s with { UefiBootFile = "snponly.efi" }));
        yield return Row("arm64 (arch 11) without an arm64 iPXE → an address but no boot file",
            FullCase(Request(DhcpMessageType.Discover).Pxe(11), d => Offers(d, "10.0.0.100")));
        yield return Row("arm64 (arch 11) with an arm64 iPXE → that file",
            FullCase(Request(DhcpMessageType.Discover).Pxe(11), d => Offers(d, "10.0.0.100", "ipxe-arm64.efi"),
                settings: s => s with { Arm64BootFile = "ipxe-arm64.efi" }));
        yield return Row("UEFI HTTP boot (HTTPClient, arch 16) → http URL of ipxe.efi with HTTPClient echoed",
            FullCase(Request(DhcpMessageType.Discover).With(p =>
            {
                p.Options.Set(93, [0, 16]);
                p.Options.SetString(60, "HTTPClient:Arch:00016:UNDI:003001");
            }), d =>
            {
                Offers(d, "10.0.0.100", "http://10.0.0.1:8080/tftp/ipxe.efi");
                Assert.That(OverTheWire(d.Reply!).Options.GetString(DhcpOptionCode.VendorClassIdentifier), Is.EqualTo("HTTPClient"));
            }));
        yield return Row("iPXE (user class iPXE) → the node's boot script URL with the firmware from option 93, not an NBP, and 175.176 = 1",
            FullCase(Request(DhcpMessageType.Discover).Pxe(0).With(p => p.Options.SetString(77, "iPXE")), d =>
            {
                Offers(d, "10.0.0.100", $"http://10.0.0.1:8080/boot/{Mac}.ipxe?platform=pcbios");
                Assert.That(OverTheWire(d.Reply!).Options.Get(DhcpOptionCode.IpxeEncapsulated), Is.EqualTo(new byte[] { 176, 1, 1 }));
                Assert.That(d.Summary, Is.EqualTo($"DISCOVER arch 0 user-class iPXE → OFFER 10.0.0.100 boot http://10.0.0.1:8080/boot/{Mac}.ipxe?platform=pcbios"));
            }));
        yield return Row("a PXE client's UUID (option 97) is echoed",
            FullCase(Request(DhcpMessageType.Discover).Pxe(7).With(p => p.Options.Set(97, [0, .. new byte[16]])),
                d => Assert.That(OverTheWire(d.Reply!).Options.Get(97), Has.Length.EqualTo(17))));
        yield return Row("a relayed discover (giaddr) → offer to the relay's port 67, option 82 echoed unchanged",
            FullCase(Request(DhcpMessageType.Discover).With(p =>
            {
                p.GatewayAddress = IPAddress.Parse("10.0.0.254");
                p.Options.Set(82, [1, 3, 0xa, 0xb, 0xc, 2, 1, 7]);
            }), d =>
            {
                Offers(d, "10.0.0.100", destination: "10.0.0.254:67");
                var reply = OverTheWire(d.Reply!);
                Assert.That(reply.GatewayAddress, Is.EqualTo(IPAddress.Parse("10.0.0.254")));
                Assert.That(reply.Options.Get(82), Is.EqualTo(new byte[] { 1, 3, 0xa, 0xb, 0xc, 2, 1, 7 }));
                Assert.That(reply.Options.Items.Last().Key, Is.EqualTo(82), "relay agent information goes last");
            }));
        yield return Row("a relay on another subnet is not served (one subnet only)",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.GatewayAddress = IPAddress.Parse("192.168.5.1")),
                d => Silent(d, "outside 10.0.0.0/24")));
        yield return Row("discover asking for a free pool address → that address",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Options.SetAddress(50, IPAddress.Parse("10.0.0.105"))),
                d => Offers(d, "10.0.0.105")));
        yield return Row("discover asking for another MAC's address → a different one",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Options.SetAddress(50, IPAddress.Parse("10.0.0.100"))),
                d => Offers(d, "10.0.0.101"), scene: r => Dora(r, OtherMac)));
        yield return Row("every DHCP round of a boot gets the same address (no pool churn); no arch → iPXE's own ${platform}",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Options.SetString(77, "iPXE")),
                d => Offers(d, "10.0.0.101", $"http://10.0.0.1:8080/boot/{Mac}.ipxe?platform=${{platform}}"),
                scene: r => { Dora(r, OtherMac); Dora(r); Dora(r); }));
        yield return Row("request selecting the offered address → ACK (broadcast: the client has no address yet)",
            FullCase(Selecting("10.0.0.100"), d => Replies(d, DhcpMessageType.Ack, "10.0.0.100", null, "255.255.255.255:68"),
                scene: r => r.Respond(Request(DhcpMessageType.Discover), Context())));
        yield return Row("request selecting another server → silence (the client chose it)",
            FullCase(Request(DhcpMessageType.Request).With(p =>
            {
                p.Options.SetAddress(54, IPAddress.Parse("10.0.0.9"));
                p.Options.SetAddress(50, IPAddress.Parse("10.0.0.100"));
            }), d => Silent(d, "chose another server")));
        yield return Row("init-reboot for an address outside the subnet → NAK, broadcast",
            FullCase(InitReboot("192.168.1.50"), d =>
            {
                Replies(d, DhcpMessageType.Nak, "0.0.0.0", null, "255.255.255.255:68");
                Assert.That(OverTheWire(d.Reply!).Options.GetString(DhcpOptionCode.Message), Does.Contain("not on 10.0.0.0/24"));
            }));
        yield return Row("init-reboot for another MAC's leased address → NAK",
            FullCase(InitReboot("10.0.0.100"), d => Replies(d, DhcpMessageType.Nak, "0.0.0.0", null, "255.255.255.255:68"),
                scene: r => Dora(r, OtherMac)));
        yield return Row("init-reboot for the client's own address → ACK",
            FullCase(InitReboot("10.0.0.100"), d => Replies(d, DhcpMessageType.Ack, "10.0.0.100", null, "255.255.255.255:68"),
                scene: r => Dora(r)));
        yield return Row("init-reboot for an address outside the pool but in the subnet → NAK",
            FullCase(InitReboot("10.0.0.50"), d => Replies(d, DhcpMessageType.Nak, "0.0.0.0", null, "255.255.255.255:68")));
        yield return Row("renewing (ciaddr, no 50/54) → ACK unicast to ciaddr",
            FullCase(Request(DhcpMessageType.Request).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.100")),
                d =>
                {
                    Replies(d, DhcpMessageType.Ack, "10.0.0.100", null, "10.0.0.100:68");
                    Assert.That(d.Summary, Does.Contain("(renewing)"));
                }, scene: r => Dora(r)));
        yield return Row("renewing an address the client does not hold → NAK",
            FullCase(Request(DhcpMessageType.Request).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.100")),
                d => Replies(d, DhcpMessageType.Nak, "0.0.0.0", null, "255.255.255.255:68"), scene: r => Dora(r, OtherMac)));
        yield return Row("a NAK through a relay goes to the relay with the broadcast bit set",
            FullCase(InitReboot("192.168.1.50").With(p => p.GatewayAddress = IPAddress.Parse("10.0.0.254")), d =>
            {
                Replies(d, DhcpMessageType.Nak, "0.0.0.0", null, "10.0.0.254:67");
                Assert.That(d.Reply!.Broadcast, Is.True);
            }));
        yield return Row("decline → silence, and the address leaves the pool",
            FullCase(Request(DhcpMessageType.Discover, OtherMac), d => Offers(d, "10.0.0.101"), scene: r =>
            {
                Dora(r);
                var decline = r.Respond(Request(DhcpMessageType.Decline).With(p =>
                {
                    p.Options.SetAddress(50, IPAddress.Parse("10.0.0.100"));
                    p.Options.SetAddress(54, Server);
                }), Context());
                Assert.That(decline.Reply, Is.Null);
                Assert.That(decline.Summary, Does.Contain("declined"));
            }));
        yield return Row("release → silence; the MAC gets the same address back on its next boot",
            FullCase(Request(DhcpMessageType.Discover), d => Offers(d, "10.0.0.100"), scene: r =>
            {
                Dora(r);
                var release = r.Respond(Request(DhcpMessageType.Release).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.100")), Context());
                Assert.That(release.Reply, Is.Null);
                Assert.That(release.Summary, Does.Contain("released"));
            }));
        yield return Row("inform → ACK with options but no address or lease time, unicast to ciaddr",
            FullCase(Request(DhcpMessageType.Inform).With(p => p.ClientAddress = IPAddress.Parse("10.0.0.50")), d =>
            {
                Replies(d, DhcpMessageType.Ack, "0.0.0.0", null, "10.0.0.50:68");
                var o = OverTheWire(d.Reply!).Options;
                Assert.That(o.Contains(DhcpOptionCode.LeaseTime), Is.False);
                Assert.That(o.GetAddress(DhcpOptionCode.Router), Is.EqualTo(Server));
            }));
        yield return Row("an unknown MAC is ignored when ServeUnknown is off",
            FullCase(Request(DhcpMessageType.Discover), d => Silent(d, "is no node's port"), settings: s => s with { ServeUnknown = false }));
        yield return Row("a node's MAC is served when ServeUnknown is off",
            FullCase(Request(DhcpMessageType.Discover), d => Offers(d, "10.0.0.100"), context: Context(known: true),
                settings: s => s with { ServeUnknown = false }));
        yield return Row("BOOTP without a message type is not served",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Options.Remove(53)), d => Silent(d, "BOOTP")));
        yield return Row("a BOOTREPLY (another server's answer) is ignored",
            FullCase(Request(DhcpMessageType.Discover).With(p => p.Op = BootpOp.BootReply), d => Silent(d, "not a BOOTREQUEST")));
        yield return Row("an exhausted pool → silence",
            FullCase(Request(DhcpMessageType.Discover), d => Silent(d, "pool exhausted"),
                scene: r => { for (var i = 0; i < 10; i++) Dora(r, $"52:54:00:00:01:{i:x2}"); }));
        yield return Row("port 4011 is ignored in full mode",
            FullCase(Request(DhcpMessageType.Request).Pxe(7), d => Silent(d, "4011"), context: Context(proxyPort: true)));
        yield return Row("server messages from clients (OFFER) are ignored",
            FullCase(Request(DhcpMessageType.Offer), d => Silent(d, "server message")));
    }

    private static IEnumerable<TestCaseData> ProxyMode()
    {
        Case ProxyCase(DhcpPacket request, Action<DhcpDecision> expect, DhcpRequestContext? context = null) =>
            new(Proxy(), null, request, context ?? Context(), expect);
        yield return Row("proxy: PXE discover (arch 7) → offer without an address: ipxe.efi, PXEClient, no lease options",
            ProxyCase(Request(DhcpMessageType.Discover).Pxe(7), d =>
            {
                Offers(d, "0.0.0.0", "ipxe.efi");
                var o = OverTheWire(d.Reply!).Options;
                Assert.That(o.GetString(DhcpOptionCode.VendorClassIdentifier), Is.EqualTo("PXEClient"));
                Assert.That(o.Contains(DhcpOptionCode.LeaseTime), Is.False);
                Assert.That(o.Contains(DhcpOptionCode.SubnetMask), Is.False);
                Assert.That(o.Contains(DhcpOptionCode.Router), Is.False);
            }));
        yield return Row("proxy: a discover from a non-PXE client is ignored",
            ProxyCase(Request(DhcpMessageType.Discover), d => Silent(d, "not a PXE")));
        yield return Row("proxy: a request on 4011 → ACK with the boot file, unicast back to the client's port",
            ProxyCase(Request(DhcpMessageType.Request).Pxe(0).With(p => p.ClientAddress = IPAddress.Parse("192.168.1.77")),
                d => Replies(d, DhcpMessageType.Ack, "0.0.0.0", "undionly.kpxe", "192.168.1.77:4321"),
                Context(proxyPort: true, source: new IPEndPoint(IPAddress.Parse("192.168.1.77"), 4321))));
        yield return Row("proxy: a request on 67 is the site server's business",
            ProxyCase(Selecting("10.0.0.100").Pxe(7), d => Silent(d, "site's DHCP server")));
        yield return Row("proxy: iPXE → the script URL",
            ProxyCase(Request(DhcpMessageType.Discover).Pxe(7).With(p => p.Options.SetString(77, "iPXE")),
                d => Offers(d, "0.0.0.0", $"http://10.0.0.1:8080/boot/{Mac}.ipxe?platform=efi")));
        yield return Row("proxy: an arch we have no binary for (arm64 without one) is ignored",
            ProxyCase(Request(DhcpMessageType.Discover).Pxe(11), d => Silent(d, "no boot file")));
    }

    [TestCaseSource(nameof(FullMode))]
    [TestCaseSource(nameof(ProxyMode))]
    public void Rule(Case c)
    {
        var responder = new DhcpResponder(c.Settings, c.Settings.Mode == DhcpMode.Full ? Pool() : null);
        c.Scene?.Invoke(responder);
        c.Expect(responder.Respond(c.Request, c.Context));
    }
}
