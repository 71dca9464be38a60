using System.Net;
using System.Text;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// The agent's HTTP/1.0 client over busybox nc (packaging/ramdisk/agent/http.sh) against real servers on loopback:
/// Python's http.server for a binary download, .NET's HttpListener for a POST.
/// </summary>
public sealed class AgentHttpTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("bifrost-agent-http");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    [Test]
    public void A_binary_file_downloads_byte_identical_with_status_and_headers()
    {
        var www = Directory.CreateDirectory(Path.Combine(_dir.Path, "www")).FullName;
        // Bytes that would break a line-oriented reader: NULs, CR LF pairs, a header-like line, no final newline.
        var data = new byte[3 * 1024 * 1024 + 17];
        new Random(5).NextBytes(data);
        Encoding.ASCII.GetBytes("\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n\0\0\n").CopyTo(data, 0);
        File.WriteAllBytes(Path.Combine(www, "image.bin"), data);
        using var server = new PythonHttpServer(www);
        var port = server.Port;
        var output = Path.Combine(_dir.Path, "out.bin");
        var r = AgentShell.Run("http_request GET \"$URL\" \"$OUT\"; echo \"rc=$? status=$(http_status) length=$(http_header content-length)\"",
            Path.Combine(_dir.Path, "state"), new Dictionary<string, string> { ["URL"] = $"http://127.0.0.1:{port}/image.bin", ["OUT"] = output });
        Assert.That(r.Stdout.Trim(), Is.EqualTo($"rc=0 status=200 length={data.Length}"), r.Stderr);
        Assert.That(File.ReadAllBytes(output), Is.EqualTo(data), "the body is byte-identical");

        r = AgentShell.Run("http_request GET \"$URL\" \"$OUT\"; echo \"rc=$? status=$(http_status)\"",
            Path.Combine(_dir.Path, "state"), new Dictionary<string, string> { ["URL"] = $"http://127.0.0.1:{port}/missing", ["OUT"] = output });
        Assert.That(r.Stdout.Trim(), Is.EqualTo("rc=0 status=404"), "an HTTP error is an answer, not a connection error");
    }

    [Test]
    public void A_refused_connection_is_a_connection_error_and_the_output_is_still_opened()
    {
        var port = Net.FreeTcpPort();   // nothing listens there
        var output = Path.Combine(_dir.Path, "out");
        var r = AgentShell.Run("http_request GET \"$URL\" \"$OUT\"; echo \"rc=$? status=$(http_status)\"",
            Path.Combine(_dir.Path, "state"), new Dictionary<string, string> { ["URL"] = $"http://127.0.0.1:{port}/x", ["OUT"] = output });
        Assert.That(r.Stdout.Trim(), Is.EqualTo("rc=1 status=0"));
        Assert.That(File.Exists(output), Is.True, "a reader on a fifo must never hang: the output is opened in any case");
    }

    [Test]
    public async Task A_post_sends_the_body_with_length_type_and_api_version_and_reads_the_answer()
    {
        var port = Net.FreeTcpPort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        var received = Task.Run(async () =>
        {
            var context = await listener.GetContextAsync();
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var seen = (context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.ContentType,
                Version: context.Request.Headers["X-OpenStack-Ironic-API-Version"], Token: context.Request.Headers["X-Agent-Token"], body);
            var answer = Encoding.UTF8.GetBytes("command=none\ninterval=7\n");
            context.Response.StatusCode = 202;
            context.Response.ContentType = "text/plain";
            context.Response.ContentLength64 = answer.Length;
            await context.Response.OutputStream.WriteAsync(answer);
            context.Response.Close();
            return seen;
        });
        var json = "{\"agent_token\": \"t0k\", \"log_tail\": \"a \\\"quoted\\\" line\\n\"}";
        var bodyFile = Path.Combine(_dir.Path, "body.json");
        await File.WriteAllTextAsync(bodyFile, json);
        var output = Path.Combine(_dir.Path, "answer");
        var r = AgentShell.Run("http_request POST \"$URL\" \"$OUT\" \"$BODY\" -H 'X-Agent-Token: t0k'; echo \"rc=$? status=$(http_status)\"",
            Path.Combine(_dir.Path, "state"), new Dictionary<string, string>
            {
                ["URL"] = $"http://127.0.0.1:{port}/v1/heartbeat/abc", ["OUT"] = output, ["BODY"] = bodyFile,
            });
        Assert.That(r.Stdout.Trim(), Is.EqualTo("rc=0 status=202"), r.Stderr);
        Assert.That(await File.ReadAllTextAsync(output), Is.EqualTo("command=none\ninterval=7\n"));
        var seen = await received.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(seen.HttpMethod, Is.EqualTo("POST"));
        Assert.That(seen.AbsolutePath, Is.EqualTo("/v1/heartbeat/abc"));
        Assert.That(seen.ContentType, Is.EqualTo("application/json"));
        Assert.That(seen.Version, Is.EqualTo("1.68"));
        Assert.That(seen.Token, Is.EqualTo("t0k"));
        Assert.That(seen.body, Is.EqualTo(json));
    }

    [TestCase("http://10.0.0.1:6385/v1/lookup?addresses=a,b", "10.0.0.1", "6385", "/v1/lookup?addresses=a,b")]
    [TestCase("http://example.org", "example.org", "80", "/")]
    [TestCase("http://[fd00::1]:8080/i.raw", "fd00::1", "8080", "/i.raw")]
    public void Url_parsing(string url, string host, string port, string path)
    {
        var r = AgentShell.Run("http_parse_url \"$U\" && printf '%s|%s|%s' \"$url_host\" \"$url_port\" \"$url_path\"",
            Path.Combine(_dir.Path, "state"), new Dictionary<string, string> { ["U"] = url });
        Assert.That(r.Stdout, Is.EqualTo($"{host}|{port}|{path}"));
    }
}
