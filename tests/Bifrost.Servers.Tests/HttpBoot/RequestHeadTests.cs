using System.Text;
using Bifrost.Servers.HttpBoot;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>Which request heads the sendfile path takes: plain whole-file GETs only; everything else is Kestrel's.</summary>
public class RequestHeadTests
{
    private static RequestHeadParse Parse(string head, out RequestHead parsed) =>
        RequestHeads.Parse(Encoding.Latin1.GetBytes(head), out parsed);

    private static IEnumerable<TestCaseData> Plain()
    {
        yield return new TestCaseData("GET /images/disk.img HTTP/1.1\r\nHost: x\r\n\r\n", "/images/disk.img", true)
            .SetName("HTTP/1.1 keeps the connection by default");
        yield return new TestCaseData("GET /images/disk.img HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "/images/disk.img", false)
            .SetName("HTTP/1.1 with Connection close closes");
        yield return new TestCaseData("GET /ramdisk/k HTTP/1.0\r\n\r\n", "/ramdisk/k", false)
            .SetName("HTTP/1.0 closes by default and needs no Host");
        yield return new TestCaseData("GET /tftp/a.efi HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "/tftp/a.efi", true)
            .SetName("HTTP/1.0 with keep-alive keeps the connection");
        yield return new TestCaseData("GET /images/a HTTP/1.1\r\nhost:x\r\nUser-Agent: curl/7.88\r\nAccept: */*\r\nContent-Length: 0\r\nX-Any:  t\t\r\n\r\n",
            "/images/a", true).SetName("harmless fields and odd spacing are fine");
    }

    [TestCaseSource(nameof(Plain))]
    public void A_plain_get_is_parsed(string head, string path, bool keepAlive)
    {
        Assert.That(Parse(head, out var parsed), Is.EqualTo(RequestHeadParse.Parsed));
        Assert.That(parsed, Is.EqualTo(new RequestHead(path, keepAlive, Encoding.Latin1.GetByteCount(head))));
    }

    [Test]
    public void The_length_stops_at_the_empty_line_so_a_pipelined_request_stays_unread()
    {
        const string first = "GET /images/a HTTP/1.1\r\nHost: x\r\n\r\n";
        Assert.That(Parse(first + "GET /images/b HTTP/1.1\r\n", out var parsed), Is.EqualTo(RequestHeadParse.Parsed));
        Assert.That(parsed.Length, Is.EqualTo(first.Length));
    }

    [TestCase("")]
    [TestCase("GET /images/a HTTP/1.1\r\n")]
    [TestCase("GET /images/a HTTP/1.1\r\nHost: x\r\n")]
    public void A_head_without_its_empty_line_is_incomplete(string head) =>
        Assert.That(Parse(head, out _), Is.EqualTo(RequestHeadParse.Incomplete));

    private static IEnumerable<TestCaseData> NotOurs()
    {
        TestCaseData Case(string head, string why) => new TestCaseData(head).SetName(why + " is Kestrel's");
        yield return Case("HEAD /images/a HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD");
        yield return Case("POST /images/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", "POST");
        yield return Case("get /images/a HTTP/1.1\r\nHost: x\r\n\r\n", "a lower-case method");
        yield return Case("GET /images/a HTTP/1.1\r\n\r\n", "HTTP/1.1 without Host");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "two Hosts");
        yield return Case("GET /images/a HTTP/2.0\r\nHost: x\r\n\r\n", "another version");
        yield return Case("GET /images/a\r\n\r\n", "HTTP/0.9");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\n\r\n", "Range");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nIf-None-Match: \"1\"\r\n\r\n", "If-None-Match");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nif-modified-since: Sat, 21 Nov 2026 00:00:00 GMT\r\n\r\n", "If-Modified-Since");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nIf-Range: \"1\"\r\n\r\n", "If-Range");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "a chunked body");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "a body");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n\r\n", "Expect");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n", "Upgrade");
        yield return Case("GET /images/%2e%2e/bifrost.db HTTP/1.1\r\nHost: x\r\n\r\n", "a percent escape");
        yield return Case("GET /images/../bifrost.db HTTP/1.1\r\nHost: x\r\n\r\n", "a dot-dot segment");
        yield return Case("GET /images/./a HTTP/1.1\r\nHost: x\r\n\r\n", "a dot segment");
        yield return Case("GET /images//a HTTP/1.1\r\nHost: x\r\n\r\n", "an empty segment");
        yield return Case("GET /images/a?x=1 HTTP/1.1\r\nHost: x\r\n\r\n", "a query");
        yield return Case("GET http://x/images/a HTTP/1.1\r\nHost: x\r\n\r\n", "an absolute-form target");
        yield return Case("GET /images/a\\b HTTP/1.1\r\nHost: x\r\n\r\n", "a backslash");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "an obs-fold line");
        yield return Case("GET /images/a HTTP/1.1\r\nHost : x\r\n\r\n", "a space before the colon");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\u00e9\r\n\r\n", "obs-text in a value");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n", "a control byte in a value");
        yield return Case("\r\nGET /images/a HTTP/1.1\r\nHost: x\r\n\r\n", "a leading empty line");
        yield return Case("GET /images/a HTTP/1.1\nHost: x\n\n", "bare line feeds");
        yield return Case("GET /images/a HTTP/1.1\r\nHost: x\r\nX: " + new string('a', RequestHeads.MaxHeadBytes) + "\r\n\r\n", "an over-long head");
    }

    [TestCaseSource(nameof(NotOurs))]
    public void Anything_else_is_left_to_kestrel(string head) =>
        Assert.That(Parse(head, out _), Is.EqualTo(RequestHeadParse.NotOurs));

    [Test]
    public void Random_bytes_never_throw()
    {
        var random = new Random(4711);
        var seed = Encoding.ASCII.GetBytes("GET /images/disk.img HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n");
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])seed.Clone();
            for (var m = random.Next(1, 6); m > 0; m--) bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            var cut = bytes[..random.Next(bytes.Length + 1)];
            Assert.DoesNotThrow(() => RequestHeads.Parse(cut, out _));
        }
    }
}
