using Bifrost.Protocols.Icmpv6;

namespace Bifrost.Protocols.Tests.Icmpv6;

public class RouterDiscoveryTests
{
    private static readonly byte[] Mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    [Test]
    public void The_advertisement_says_lifetime_0_no_flags_and_carries_the_source_mac_option()
    {
        var ra = new RouterAdvertisement { SourceLinkLayerAddress = Mac };
        var bytes = new byte[ra.GetEncodedLength()];
        Assert.That(ra.Write(bytes), Is.EqualTo(24), "16 fixed bytes + one 8-byte option");
        // RFC 4861 §4.2: type 134, code 0, checksum (kernel), hop limit 0, flags 0, lifetime 0, reachable 0, retrans 0;
        // §4.6.1: option 1, length 1 (8 bytes), the MAC.
        Assert.That(Convert.ToHexString(bytes), Is.EqualTo("8600000000000000" + "0000000000000000" + "0101525400123456"));
        Assert.That(RouterAdvertisement.TryRead(bytes, out var read, out var error), Is.True, error);
        Assert.That(read.RouterLifetimeSeconds, Is.Zero);
        Assert.That(read.Managed || read.OtherConfig, Is.False);
        Assert.That(read.SourceLinkLayerAddress, Is.EqualTo(Mac));
    }

    private static IEnumerable<TestCaseData> Solicitations()
    {
        yield return new TestCaseData("8500000000000000", true, null).SetName("RS without options (unspecified source) is read");
        yield return new TestCaseData("85000000000000000101525400123456", true, "525400123456").SetName("RS with a source link-layer option is read");
        yield return new TestCaseData("850000000000", false, null).SetName("RS shorter than 8 bytes is refused");
        yield return new TestCaseData("8501000000000000", false, null).SetName("RS with a code other than 0 is refused");
        yield return new TestCaseData("86000000000000000000000000000000", false, null).SetName("an advertisement is not a solicitation");
        yield return new TestCaseData("85000000000000000100525400123456", false, null).SetName("RS with an option of length 0 is refused (RFC 4861 6.1.1)");
        yield return new TestCaseData("85000000000000000102525400123456", false, null).SetName("RS with an option running past the packet is refused");
    }

    [TestCaseSource(nameof(Solicitations))]
    public void Solicitation_rules(string hex, bool valid, string? mac)
    {
        var ok = RouterSolicitation.TryRead(Convert.FromHexString(hex), out var rs, out var error);
        Assert.That(ok, Is.EqualTo(valid), error);
        if (valid) Assert.That(rs.SourceLinkLayerAddress is null ? null : Convert.ToHexString(rs.SourceLinkLayerAddress), Is.EqualTo(mac));
        else Assert.That(error, Is.Not.Null.And.Not.Empty);
    }

    [Test]
    public void Random_and_mutated_packets_never_throw()
    {
        var random = new Random(4861);
        var seed = Convert.FromHexString("85000000000000000101525400123456");
        for (var i = 0; i < 100_000; i++)
        {
            byte[] packet;
            if (i % 2 == 0)
            {
                packet = new byte[random.Next(0, 64)];
                random.NextBytes(packet);
            }
            else
            {
                packet = (byte[])seed.Clone();
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }
            Assert.DoesNotThrow(() =>
            {
                RouterSolicitation.TryRead(packet, out _, out _);
                RouterAdvertisement.TryRead(packet, out _, out _);
            });
        }
    }
}
