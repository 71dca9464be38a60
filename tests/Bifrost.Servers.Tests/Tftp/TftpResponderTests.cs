using System.Text;
using Bifrost.Protocols.Tftp;
using Bifrost.Servers.Tftp;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.Tftp;

/// <summary>Request in → decision out, with a backend that knows one file.</summary>
public class TftpResponderTests
{
    private sealed class OneFile : ITftpFiles
    {
        public TftpLookup Find(string requestedName) => requestedName == "ipxe.efi"
            ? TftpLookup.Found(new TftpFile("/srv/tftp/ipxe.efi", 1_012_736))
            : TftpLookup.Refused(TftpErrorCode.FileNotFound, "file not found");
    }

    private static byte[] Packet(ushort opcode, string body) => [0, (byte)opcode, .. Encoding.ASCII.GetBytes(body)];

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(byte[] packet, string expected, string rule) => new TestCaseData(packet, expected).SetName(rule);
        yield return Case(Packet(1, "ipxe.efi\0octet\0"), "serve blksize 512 window 1 oack ''", "RRQ octet without options → data at 512, no OACK");
        yield return Case(Packet(1, "ipxe.efi\0OCTET\0"), "serve blksize 512 window 1 oack ''", "the mode is case-insensitive");
        yield return Case(Packet(1, "ipxe.efi\0octet\0tsize\00\0blksize\01468\0windowsize\04\0"),
            "serve blksize 1468 window 4 oack 'tsize=1012736 blksize=1468 windowsize=4'", "UEFI's RRQ → OACK with the file size");
        yield return Case(Packet(1, "other.efi\0octet\0"), "refuse 1 file not found", "a file the backend does not have → error 1");
        yield return Case(Packet(2, "ipxe.efi\0octet\0"), "refuse 2 write requests are refused: this server is read-only", "WRQ → error 2");
        yield return Case(Packet(1, "ipxe.efi\0netascii\0"), "refuse 4 netascii mode is not supported: use octet (binary) mode", "netascii → error 4 saying so");
        yield return Case(Packet(1, "ipxe.efi\0mail\0"), "refuse 4 unsupported transfer mode 'mail': use octet", "mail mode → error 4");
        yield return Case(Packet(1, "ipxe.efi"), "ignore malformed request: filename: string not NUL-terminated", "a malformed RRQ is dropped");
        yield return Case(Packet(4, "\0\x01"), "ignore opcode 4 on the request port", "an ACK on the request port is dropped");
        yield return Case([0], "ignore shorter than an opcode", "one byte is dropped");
    }

    [TestCaseSource(nameof(Cases))]
    public void Decide(byte[] packet, string expected)
    {
        var decision = new TftpResponder(new OneFile(), new TftpLimits()).Decide(packet);
        var rendered = decision switch
        {
            TftpDecision.Serve s => $"serve blksize {s.Options.BlockSize} window {s.Options.WindowSize} oack '"
                + string.Join(' ', s.Options.Acknowledged.Select(o => $"{o.Key}={o.Value}")) + "'",
            TftpDecision.Refuse r => $"refuse {(int)r.Code} {r.Message}",
            TftpDecision.Ignore i => $"ignore {i.Reason}",
            _ => "?",
        };
        Assert.That(rendered, Is.EqualTo(expected));
    }
}
