using System.Net;
using Bifrost.Protocols.Dhcp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Dhcp;

public class DhcpPacketTests
{
    private static readonly byte[] Mac = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];

    private static DhcpPacket Discover()
    {
        var p = new DhcpPacket { TransactionId = 0xdeadbeef, Seconds = 3, Broadcast = true };
        Mac.CopyTo(p.ClientHardwareAddress, 0);
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Discover);
        p.Options.Set(DhcpOptionCode.ClientSystemArchitecture, [0, 7]);
        p.Options.SetString(DhcpOptionCode.VendorClassIdentifier, "PXEClient:Arch:00007:UNDI:003016");
        return p;
    }

    private static byte[] Encode(DhcpPacket p, int max = DhcpPacket.DefaultMaxLength)
    {
        var buffer = new byte[p.GetEncodedLength(max)];
        Assert.That(p.Write(buffer, max), Is.EqualTo(buffer.Length));
        return buffer;
    }

    private static DhcpPacket Decode(byte[] bytes)
    {
        Assert.That(DhcpPacket.TryRead(bytes, out var p, out var error), Is.True, error);
        return p;
    }

    [Test]
    public void A_message_survives_write_and_read()
    {
        var original = Discover();
        original.GatewayAddress = IPAddress.Parse("10.0.0.254");
        original.BootFile = "undionly.kpxe";
        original.ServerName = "bifrost";
        var read = Decode(Encode(original));
        Assert.That(read.Op, Is.EqualTo(BootpOp.BootRequest));
        Assert.That(read.TransactionId, Is.EqualTo(0xdeadbeef));
        Assert.That(read.Seconds, Is.EqualTo(3));
        Assert.That(read.Broadcast, Is.True);
        Assert.That(read.GatewayAddress, Is.EqualTo(IPAddress.Parse("10.0.0.254")));
        Assert.That(read.ClientMac, Is.EqualTo("52:54:00:12:34:56"));
        Assert.That(read.BootFile, Is.EqualTo("undionly.kpxe"));
        Assert.That(read.ServerName, Is.EqualTo("bifrost"));
        Assert.That(read.MessageType, Is.EqualTo(DhcpMessageType.Discover));
        Assert.That(read.Options.GetString(DhcpOptionCode.VendorClassIdentifier), Is.EqualTo("PXEClient:Arch:00007:UNDI:003016"));
    }

    [Test]
    public void The_fixed_fields_sit_at_rfc_2131_offsets()
    {
        var p = Discover();
        p.YourAddress = IPAddress.Parse("10.1.2.3");
        var bytes = Encode(p);
        Assert.That(bytes[0], Is.EqualTo(1), "op");
        Assert.That(bytes[1..4], Is.EqualTo(new byte[] { 1, 6, 0 }), "htype, hlen, hops");
        Assert.That(bytes[4..8], Is.EqualTo(new byte[] { 0xde, 0xad, 0xbe, 0xef }), "xid");
        Assert.That(bytes[10..12], Is.EqualTo(new byte[] { 0x80, 0 }), "flags: broadcast");
        Assert.That(bytes[16..20], Is.EqualTo(new byte[] { 10, 1, 2, 3 }), "yiaddr");
        Assert.That(bytes[28..34], Is.EqualTo(Mac), "chaddr");
        Assert.That(bytes[236..240], Is.EqualTo(new byte[] { 99, 130, 83, 99 }), "magic cookie");
        Assert.That(bytes[240..243], Is.EqualTo(new byte[] { 53, 1, 1 }), "first option: message type");
    }

    [Test]
    public void A_short_reply_is_padded_to_the_300_byte_bootp_minimum()
    {
        var p = new DhcpPacket { Op = BootpOp.BootReply };
        p.Options.SetByte(DhcpOptionCode.MessageType, (byte)DhcpMessageType.Ack);
        var bytes = Encode(p);
        Assert.That(bytes, Has.Length.EqualTo(300));
        Assert.That(bytes[243], Is.EqualTo(DhcpOptionCode.End));
        Assert.That(bytes[244..], Is.All.EqualTo(0));
    }

    [Test]
    public void Rfc_3396_a_value_over_255_bytes_is_written_as_consecutive_instances()
    {
        var p = Discover();
        var longValue = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        p.Options.Set(DhcpOptionCode.VendorSpecific, longValue);
        var bytes = Encode(p, 1500);
        var first = IndexOfOption(bytes, DhcpOptionCode.VendorSpecific);
        Assert.That(bytes[first + 1], Is.EqualTo(255));
        Assert.That(bytes[first + 2 + 255], Is.EqualTo(DhcpOptionCode.VendorSpecific), "second instance follows");
        Assert.That(bytes[first + 2 + 255 + 1], Is.EqualTo(45));
        Assert.That(Decode(bytes).Options.Get(DhcpOptionCode.VendorSpecific), Is.EqualTo(longValue));
    }

    [Test]
    public void Rfc_3396_repeated_instances_of_a_code_are_concatenated_on_read()
    {
        var bytes = Header().Concat(new byte[] { 53, 1, 1, 77, 2, (byte)'i', (byte)'P', 12, 1, (byte)'h', 77, 2, (byte)'X', (byte)'E', 255 }).ToArray();
        var p = Decode(bytes);
        Assert.That(p.Options.GetString(DhcpOptionCode.UserClass), Is.EqualTo("iPXE"));
        Assert.That(p.Options.GetString(DhcpOptionCode.HostName), Is.EqualTo("h"));
    }

    [Test]
    public void Option_52_overload_options_continue_in_file_then_sname()
    {
        var bytes = Header().Concat(new byte[] { 53, 1, 3, 52, 1, 3, 255 }).ToArray();
        // file (offset 108): host name part 1 and end; sname (offset 44): host name part 2, a requested address.
        new byte[] { 12, 3, (byte)'a', (byte)'b', (byte)'c', 255 }.CopyTo(bytes, 108);
        new byte[] { 12, 2, (byte)'d', (byte)'e', 50, 4, 10, 0, 0, 9, 255 }.CopyTo(bytes, 44);
        var p = Decode(bytes);
        Assert.That(p.Options.GetString(DhcpOptionCode.HostName), Is.EqualTo("abcde"), "file before sname (RFC 2131 §4.1)");
        Assert.That(p.Options.GetAddress(DhcpOptionCode.RequestedIpAddress), Is.EqualTo(IPAddress.Parse("10.0.0.9")));
        Assert.That(p.BootFile, Is.Empty, "an overloaded field is not a file name");
        Assert.That(p.ServerName, Is.Empty);
    }

    [Test]
    public void Options_that_do_not_fit_the_clients_maximum_spill_into_file_with_option_52()
    {
        var p = Discover();
        p.Broadcast = false;
        for (byte code = 100; code < 108; code++) p.Options.Set(code, new byte[40]); // 8 × 42 = 336 bytes of options
        var bytes = Encode(p, 576);
        Assert.That(bytes, Has.Length.LessThanOrEqualTo(576));
        var read = Decode(bytes);
        Assert.That(read.Options.GetByte(DhcpOptionCode.Overload), Is.Not.Null);
        for (byte code = 100; code < 108; code++) Assert.That(read.Options.Get(code), Has.Length.EqualTo(40), $"option {code}");
    }

    [Test]
    public void A_missing_end_option_is_tolerated()
    {
        var bytes = Header().Concat(new byte[] { 53, 1, 1, 61, 7, 1, 1, 2, 3, 4, 5, 6 }).ToArray();
        Assert.That(Decode(bytes).MessageType, Is.EqualTo(DhcpMessageType.Discover));
    }

    private static IEnumerable<TestCaseData> Malformed()
    {
        TestCaseData Case(byte[] bytes, string error, string name) => new TestCaseData(bytes, error).SetName(name);
        yield return Case(new byte[239], "shorter than the 240-byte header", "fewer than 240 bytes is refused");
        var noCookie = Header();
        noCookie[236] = 0;
        yield return Case(noCookie, "no DHCP magic cookie", "a wrong magic cookie (plain BOOTP) is refused");
        yield return Case([.. Header(), 53, 5, 1], "claims 5 bytes", "an option running past the packet is refused");
        yield return Case([.. Header(), 53], "has no length byte", "an option code without a length is refused");
        var badOp = Header();
        badOp[0] = 3;
        yield return Case(badOp, "op 3", "an unknown op is refused");
        var badFile = Header().Concat(new byte[] { 52, 1, 1, 255 }).ToArray();
        badFile[108] = 12;
        badFile[109] = 200;
        yield return Case(badFile, "overloaded file field", "a malformed overloaded file field is refused");
    }

    [TestCaseSource(nameof(Malformed))]
    public void Malformed_input_is_refused_with_a_reason(byte[] bytes, string error)
    {
        Assert.That(DhcpPacket.TryRead(bytes, out _, out var actual), Is.False);
        Assert.That(actual, Does.Contain(error));
    }

    private static byte[] Header()
    {
        var b = new byte[240];
        b[0] = 1;
        b[1] = 1;
        b[2] = 6;
        Mac.CopyTo(b, 28);
        new byte[] { 99, 130, 83, 99 }.CopyTo(b, 236);
        return b;
    }

    private static int IndexOfOption(byte[] bytes, byte code)
    {
        var at = 240;
        while (bytes[at] != code) at += bytes[at] == 0 ? 1 : 2 + bytes[at + 1];
        return at;
    }
}
