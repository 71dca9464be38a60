using System.Text;
using Bifrost.Protocols.Tftp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Tftp;

public class TftpCodecTests
{
    private static byte[] Bytes(string text) => Encoding.ASCII.GetBytes(text);

    /// <summary>What OVMF's PXE sends first (LAB.md): tsize, blksize and windowsize.</summary>
    private static readonly byte[] UefiProbe =
        [0, 1, .. Bytes("ipxe.efi\0octet\0tsize\00\0blksize\01468\0windowsize\04\0")];

    [Test]
    public void A_read_request_with_options_decodes_in_order()
    {
        Assert.That(TftpRequest.TryRead(UefiProbe, out var request, out var error), Is.True, error);
        Assert.That(request.Opcode, Is.EqualTo(TftpOpcode.ReadRequest));
        Assert.That(request.Filename, Is.EqualTo("ipxe.efi"));
        Assert.That(request.Mode, Is.EqualTo("octet"));
        Assert.That(request.Options.Select(o => $"{o.Key}={o.Value}"), Is.EqualTo(new[] { "tsize=0", "blksize=1468", "windowsize=4" }));
        Assert.That(request.Option("BLKSIZE"), Is.EqualTo("1468"), "option names are case-insensitive (RFC 2347)");
    }

    [Test]
    public void A_request_encodes_to_the_bytes_it_was_read_from()
    {
        TftpRequest.TryRead(UefiProbe, out var request, out _);
        var buffer = new byte[request.GetEncodedLength()];
        Assert.That(request.Write(buffer), Is.EqualTo(UefiProbe.Length));
        Assert.That(buffer, Is.EqualTo(UefiProbe));
    }

    [Test]
    public void Trailing_nul_padding_after_the_options_is_tolerated()
    {
        byte[] padded = [.. UefiProbe, 0, 0, 0];
        Assert.That(TftpRequest.TryRead(padded, out var request, out var error), Is.True, error);
        Assert.That(request.Options, Has.Count.EqualTo(3));
    }

    private static IEnumerable<TestCaseData> MalformedRequests()
    {
        TestCaseData Case(byte[] bytes, string error, string rule) => new TestCaseData(bytes, error).SetName(rule);
        yield return Case([], "shorter than an opcode", "an empty datagram is not a request");
        yield return Case([0, 1], "filename: string not NUL-terminated", "a request without a filename is malformed");
        yield return Case([0, 1, .. Bytes("file")], "filename: string not NUL-terminated", "a filename without NUL is malformed");
        yield return Case([0, 1, .. Bytes("file\0octet")], "mode: string not NUL-terminated", "a mode without NUL is malformed");
        yield return Case([0, 1, .. Bytes("\0octet\0")], "empty filename", "an empty filename is malformed");
        yield return Case([0, 1, .. Bytes("f\0octet\0blksize\0")], "option blksize has no value", "an option without a value is malformed");
        yield return Case([0, 1, .. Bytes("f\0octet\0blksize\0512")], "option blksize: string not NUL-terminated", "an option value without NUL is malformed");
        yield return Case([0, 1, 0xff, 0xfe, 0, .. Bytes("octet\0")], "filename: string is not valid UTF-8", "invalid UTF-8 in a filename is refused");
        yield return Case([0, 3, 0, 1], "opcode 3 is not a request", "DATA is not a request");
    }

    [TestCaseSource(nameof(MalformedRequests))]
    public void Malformed_requests_are_refused_with_a_reason(byte[] bytes, string expected)
    {
        Assert.That(TftpRequest.TryRead(bytes, out _, out var error), Is.False);
        Assert.That(error, Is.EqualTo(expected));
    }

    [Test]
    public void Data_header_carries_opcode_3_and_the_block_number_big_endian()
    {
        var buffer = new byte[6];
        buffer[4] = 0xaa;
        buffer[5] = 0xbb;
        Assert.That(TftpData.WriteHeader(buffer, 0x1234), Is.EqualTo(4));
        Assert.That(buffer, Is.EqualTo(new byte[] { 0, 3, 0x12, 0x34, 0xaa, 0xbb }));
        Assert.That(TftpData.TryRead(buffer, out var block, out var payload, out _), Is.True);
        Assert.That((block, payload.ToArray()), Is.EqualTo(((ushort)0x1234, new byte[] { 0xaa, 0xbb })));
    }

    [Test]
    public void Ack_round_trips_and_tolerates_padding()
    {
        var buffer = new byte[6];
        Assert.That(TftpAck.Write(buffer, 65535), Is.EqualTo(4));
        Assert.That(buffer[..4], Is.EqualTo(new byte[] { 0, 4, 0xff, 0xff }));
        Assert.That(TftpAck.TryRead(buffer, out var block, out _), Is.True);
        Assert.That(block, Is.EqualTo(65535));
        Assert.That(TftpAck.TryRead(new byte[] { 0, 4, 0 }, out _, out _), Is.False, "3 bytes are not an ACK");
    }

    [Test]
    public void Error_round_trips()
    {
        var error = new TftpError(TftpErrorCode.FileNotFound, "file not found");
        var buffer = new byte[error.GetEncodedLength()];
        Assert.That(error.Write(buffer), Is.EqualTo(buffer.Length));
        Assert.That(buffer, Is.EqualTo((byte[])[0, 5, 0, 1, .. Bytes("file not found\0")]));
        Assert.That(TftpError.TryRead(buffer, out var read, out _), Is.True);
        Assert.That(read, Is.EqualTo(error));
    }

    [Test]
    public void An_error_without_a_message_terminator_keeps_its_code()
    {
        // UEFI's abort after the OACK has been seen with an empty, unterminated message.
        Assert.That(TftpError.TryRead(new byte[] { 0, 5, 0, 8 }, out var read, out _), Is.True);
        Assert.That(read, Is.EqualTo(new TftpError(TftpErrorCode.OptionsRefused, "")));
        Assert.That(TftpError.TryRead(new byte[] { 0, 5, 0, 8, (byte)'x' }, out read, out _), Is.True);
        Assert.That(read.Code, Is.EqualTo(TftpErrorCode.OptionsRefused));
    }

    [Test]
    public void Option_ack_round_trips()
    {
        var oack = new TftpOptionAck([new("blksize", "1468"), new("tsize", "1012736")]);
        var buffer = new byte[oack.GetEncodedLength()];
        oack.Write(buffer);
        Assert.That(buffer, Is.EqualTo((byte[])[0, 6, .. Bytes("blksize\01468\0tsize\01012736\0")]));
        Assert.That(TftpOptionAck.TryRead(buffer, out var read, out _), Is.True);
        Assert.That(read.Options, Is.EqualTo(oack.Options));
    }
}
