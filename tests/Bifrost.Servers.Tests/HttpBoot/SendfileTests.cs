using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Bifrost.Servers.HttpBoot;
using Bifrost.TestKit;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace Bifrost.Servers.Tests.HttpBoot;

/// <summary>
/// The sendfile path on the live boot listener, spoken to byte by byte: plain whole-file GETs are sent by sendfile,
/// everything else on the same connection is Kestrel's, and the two share a connection without losing a byte.
/// </summary>
public class SendfileTests
{
    private static byte[] Write(BootServerFixture f, string name, int size)
    {
        var bytes = RandomNumberGenerator.GetBytes(size);
        Directory.CreateDirectory(Path.Combine(f.StateDir, "images"));
        File.WriteAllBytes(Path.Combine(f.StateDir, "images", name), bytes);
        return bytes;
    }

    private static long SentByFile(BootServerFixture f) => f.Server.Services.GetRequiredService<SendfileConnections>().Responses;

    [Test]
    public async Task Keep_alive_serves_several_files_by_sendfile_then_a_range_request_hands_the_connection_to_kestrel()
    {
        await using var f = await BootServerFixture.StartAsync();
        var big = Write(f, "big.img", 3 * 1024 * 1024 + 17);
        var small = Write(f, "small.img", 10);
        await using var c = await RawHttp.ConnectAsync(f.BootPort);

        await c.SendAsync("GET /images/big.img HTTP/1.1\r\nHost: t\r\n\r\n");
        var first = await c.ReadResponseAsync();
        await c.SendAsync("GET /images/small.img HTTP/1.1\r\nHost: t\r\n\r\n");
        var second = await c.ReadResponseAsync();
        Assert.That((first.Status, first.Body), Is.EqualTo((200, big)));
        Assert.That((second.Status, second.Body), Is.EqualTo((200, small)));
        Assert.That(first.Headers["etag"], Is.Not.Empty);
        Assert.That(first.Headers["accept-ranges"], Is.EqualTo("bytes"));
        Assert.That(SentByFile(f), Is.EqualTo(2), "both went by sendfile");

        await c.SendAsync("GET /images/big.img HTTP/1.1\r\nHost: t\r\nRange: bytes=10-19\r\n\r\n");
        var range = await c.ReadResponseAsync();
        Assert.That((range.Status, range.Body), Is.EqualTo((206, big[10..20])));
        await c.SendAsync("GET /images/small.img HTTP/1.1\r\nHost: t\r\n\r\n");
        var after = await c.ReadResponseAsync();
        Assert.That((after.Status, after.Body), Is.EqualTo((200, small)), "the connection is Kestrel's now, and still works");
        Assert.That(SentByFile(f), Is.EqualTo(2));
    }

    [Test]
    public async Task Pipelined_requests_are_answered_in_order_across_the_hand_over()
    {
        await using var f = await BootServerFixture.StartAsync();
        var a = Write(f, "a.img", 200_000);
        var b = Write(f, "b.img", 3);
        await using var c = await RawHttp.ConnectAsync(f.BootPort);
        await c.SendAsync("GET /images/a.img HTTP/1.1\r\nHost: t\r\n\r\n" +
                          "GET /images/b.img HTTP/1.1\r\nHost: t\r\n\r\n" +
                          "GET /images/a.img HTTP/1.1\r\nHost: t\r\nRange: bytes=-4\r\n\r\n" +
                          "GET /images/b.img HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(a));
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(b));
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(a[^4..]));
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(b));
        Assert.That(await c.ReadToEndAsync(), Is.Empty, "closed after Connection: close");
    }

    [Test]
    public async Task Http_1_0_gets_its_file_then_the_connection_closes_unless_it_asked_for_keep_alive()
    {
        await using var f = await BootServerFixture.StartAsync();
        var image = Write(f, "disk.img", 1024 * 1024);
        await using (var c = await RawHttp.ConnectAsync(f.BootPort))
        {
            await c.SendAsync("GET /images/disk.img HTTP/1.0\r\n\r\n"); // what the agent's busybox nc sends
            var response = await c.ReadResponseAsync();
            Assert.That((response.Status, response.Body), Is.EqualTo((200, image)));
            Assert.That(response.Headers["connection"], Is.EqualTo("close"));
            Assert.That(await c.ReadToEndAsync(), Is.Empty);
        }
        await using (var c = await RawHttp.ConnectAsync(f.BootPort))
        {
            for (var i = 0; i < 2; i++)
            {
                await c.SendAsync("GET /images/disk.img HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
                var response = await c.ReadResponseAsync();
                Assert.That((response.Status, response.Body), Is.EqualTo((200, image)));
                Assert.That(response.Headers["connection"], Is.EqualTo("keep-alive"));
            }
        }
        Assert.That(SentByFile(f), Is.EqualTo(3));
    }

    [Test]
    public async Task A_head_sent_a_byte_at_a_time_is_still_served_by_sendfile()
    {
        await using var f = await BootServerFixture.StartAsync();
        var image = Write(f, "disk.img", 5000);
        await using var c = await RawHttp.ConnectAsync(f.BootPort);
        foreach (var ch in "GET /images/disk.img HTTP/1.1\r\nHost: t\r\n\r\n")
        {
            await c.SendAsync(ch.ToString());
            await Task.Delay(2);
        }
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(image));
        Assert.That(SentByFile(f), Is.EqualTo(1));
    }

    [Test]
    public async Task Head_missing_files_escapes_and_boot_scripts_stay_with_kestrel()
    {
        await using var f = await BootServerFixture.StartAsync();
        Write(f, "disk.img", 100);
        foreach (var (request, status) in new[]
                 {
                     ("HEAD /images/disk.img HTTP/1.1\r\nHost: t\r\n\r\n", 200),
                     ("GET /images/missing.img HTTP/1.1\r\nHost: t\r\n\r\n", 404),
                     ("GET /images/%2e%2e/bifrost.db HTTP/1.1\r\nHost: t\r\n\r\n", 404),
                     ("GET /boot/not-a-mac.ipxe HTTP/1.1\r\nHost: t\r\n\r\n", 400),
                     ("GET /images/disk.img HTTP/1.1\r\n\r\n", 400),
                 })
        {
            await using var c = await RawHttp.ConnectAsync(f.BootPort);
            await c.SendAsync(request);
            var response = await c.ReadResponseAsync(head: request.StartsWith("HEAD", StringComparison.Ordinal));
            Assert.That(response.Status, Is.EqualTo(status), request);
        }
        Assert.That(SentByFile(f), Is.Zero);
    }

    [Test]
    public async Task A_client_that_stops_reading_holds_up_nobody_else()
    {
        await using var f = await BootServerFixture.StartAsync();
        var image = Write(f, "disk.img", 32 * 1024 * 1024);
        await using var stalled = await RawHttp.ConnectAsync(f.BootPort, receiveBuffer: 4096);
        await stalled.SendAsync("GET /images/disk.img HTTP/1.1\r\nHost: t\r\n\r\n"); // and never reads
        for (var i = 0; i < 3; i++)
            Assert.That(await f.Boot.GetByteArrayAsync("/images/disk.img"), Is.EqualTo(image));
    }

    [Test]
    public async Task A_connection_idle_past_the_head_wait_is_still_answered()
    {
        await using var f = await BootServerFixture.StartAsync();
        var image = Write(f, "disk.img", 100);
        await using var c = await RawHttp.ConnectAsync(f.BootPort);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past SendfileConnections.HeadWait: Kestrel holds it now
        await c.SendAsync("GET /images/disk.img HTTP/1.1\r\nHost: t\r\n\r\n");
        Assert.That((await c.ReadResponseAsync()).Body, Is.EqualTo(image));
        Assert.That(SentByFile(f), Is.Zero);
    }

    [Test]
    public async Task With_sendfile_off_every_file_goes_through_kestrel()
    {
        await using var f = await BootServerFixture.StartAsync(new Dictionary<string, string?> { ["Bifrost:Boot:Sendfile"] = "false" });
        var image = Write(f, "disk.img", 70_000);
        Assert.That(await f.Boot.GetByteArrayAsync("/images/disk.img"), Is.EqualTo(image));
        Assert.That(SentByFile(f), Is.Zero);
    }

    /// <summary>A bare TCP client that reads HTTP/1.1 responses by Content-Length.</summary>
    private sealed class RawHttp : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly List<byte> _pending = [];

        private RawHttp(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
        }

        public static async Task<RawHttp> ConnectAsync(int port, int? receiveBuffer = null)
        {
            var client = new TcpClient();
            if (receiveBuffer is { } size) client.ReceiveBufferSize = size;
            await client.ConnectAsync("127.0.0.1", port);
            return new RawHttp(client);
        }

        public Task SendAsync(string text) => _stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();

        public async Task<(int Status, Dictionary<string, string> Headers, byte[] Body)> ReadResponseAsync(bool head = false)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            int end;
            while ((end = IndexOfEmptyLine()) < 0) await FillAsync(timeout.Token);
            var lines = Encoding.ASCII.GetString(_pending.GetRange(0, end).ToArray()).Split("\r\n");
            _pending.RemoveRange(0, end + 4);
            var status = int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2))
                .ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
            var length = head || !headers.TryGetValue("content-length", out var cl) ? 0 : int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture);
            while (_pending.Count < length) await FillAsync(timeout.Token);
            var body = _pending.GetRange(0, length).ToArray();
            _pending.RemoveRange(0, length);
            return (status, headers, body);
        }

        public async Task<byte[]> ReadToEndAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var buffer = new byte[4096];
            int n;
            while ((n = await _stream.ReadAsync(buffer, timeout.Token)) > 0) _pending.AddRange(buffer.AsSpan(0, n).ToArray());
            var rest = _pending.ToArray();
            _pending.Clear();
            return rest;
        }

        private int IndexOfEmptyLine()
        {
            for (var i = 0; i + 3 < _pending.Count; i++)
            {
                if (_pending[i] == '\r' && _pending[i + 1] == '\n' && _pending[i + 2] == '\r' && _pending[i + 3] == '\n') return i;
            }
            return -1;
        }

        private async Task FillAsync(CancellationToken token)
        {
            var buffer = new byte[256 * 1024];
            var n = await _stream.ReadAsync(buffer, token);
            if (n == 0) throw new EndOfStreamException("the server closed the connection mid-response");
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
