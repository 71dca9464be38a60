using Bifrost.Protocols.Tftp;
using NUnit.Framework;

namespace Bifrost.Protocols.Tests.Tftp;

public class TftpNegotiationTests
{
    private static TftpRequest Rrq(params (string Name, string Value)[] options) =>
        new(TftpOpcode.ReadRequest, "f", "octet", options.Select(o => new KeyValuePair<string, string>(o.Name, o.Value)).ToList());

    private static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(TftpRequest request, int blksize, int window, int timeout, string oack, string rule) =>
            new TestCaseData(request, blksize, window, timeout, oack).SetName(rule);
        yield return Case(Rrq(), 512, 1, 1, "", "no options → 512-byte blocks, window 1, no OACK (RFC 1350)");
        yield return Case(Rrq(("blksize", "1468")), 1468, 1, 1, "blksize=1468", "blksize 1468 is accepted and echoed (RFC 2348)");
        yield return Case(Rrq(("blksize", "8")), 8, 1, 1, "blksize=8", "blksize 8 is the smallest valid size");
        yield return Case(Rrq(("blksize", "7")), 512, 1, 1, "", "blksize below 8 is invalid and left out");
        yield return Case(Rrq(("blksize", "65465")), 65464, 1, 1, "blksize=65464", "blksize above 65464 is answered with 65464");
        yield return Case(Rrq(("blksize", "big")), 512, 1, 1, "", "a non-numeric blksize is left out");
        yield return Case(Rrq(("blksize", "-5")), 512, 1, 1, "", "a negative blksize is left out");
        yield return Case(Rrq(("tsize", "0")), 512, 1, 1, "tsize=100000", "tsize 0 in a read request is answered with the file size (RFC 2349)");
        yield return Case(Rrq(("timeout", "3")), 512, 1, 3, "timeout=3", "timeout 3 is accepted as given (RFC 2349)");
        yield return Case(Rrq(("timeout", "0")), 512, 1, 1, "", "timeout 0 is invalid and left out");
        yield return Case(Rrq(("timeout", "256")), 512, 1, 1, "", "timeout above 255 is invalid and left out");
        yield return Case(Rrq(("windowsize", "16")), 512, 16, 1, "windowsize=16", "windowsize 16 is accepted (RFC 7440)");
        yield return Case(Rrq(("windowsize", "65535")), 512, 65535, 1, "windowsize=65535", "windowsize 65535 is the largest valid size");
        yield return Case(Rrq(("windowsize", "0")), 512, 1, 1, "", "windowsize 0 is invalid and left out");
        yield return Case(Rrq(("windowsize", "65536")), 512, 1, 1, "", "windowsize above 65535 is invalid and left out");
        yield return Case(Rrq(("multicast", "")), 512, 1, 1, "", "an unknown option is left out of the OACK");
        yield return Case(Rrq(("BlkSize", "1024"), ("blksize", "2048")), 1024, 1, 1, "blksize=1024", "option names are case-insensitive and the first one counts");
        yield return Case(Rrq(("tsize", "0"), ("blksize", "1468"), ("windowsize", "4")), 1468, 4, 1,
            "tsize=100000 blksize=1468 windowsize=4", "UEFI's probe options are all acknowledged, in its order");
    }

    [TestCaseSource(nameof(Cases))]
    public void Negotiation(TftpRequest request, int blksize, int window, int timeoutSeconds, string oack)
    {
        var result = TftpOptions.Negotiate(request, 100_000, new TftpLimits());
        Assert.That(result.BlockSize, Is.EqualTo(blksize));
        Assert.That(result.WindowSize, Is.EqualTo(window));
        Assert.That(result.Timeout, Is.EqualTo(TimeSpan.FromSeconds(timeoutSeconds)));
        Assert.That(string.Join(' ', result.Acknowledged.Select(o => $"{o.Key}={o.Value}")), Is.EqualTo(oack));
        Assert.That(result.SendsOptionAck, Is.EqualTo(oack.Length > 0));
    }

    [Test]
    public void Server_limits_cap_blksize_and_windowsize()
    {
        var result = TftpOptions.Negotiate(Rrq(("blksize", "9000"), ("windowsize", "512")), 1,
            new TftpLimits { MaxBlockSize = 1468, MaxWindowSize = 64 });
        Assert.That((result.BlockSize, result.WindowSize), Is.EqualTo((1468, 64)));
    }
}
