using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Bifrost.Ramdisk.Tests;

/// <summary>
/// The conductor's side of docs/agent-protocol.md, scripted by a test: lookup gives a token once, heartbeats must carry
/// it, each heartbeat answer is the next queued command (or <c>command=none</c>), and a finished command completes the
/// task returned by <see cref="RunAsync"/>. It also serves images (<c>/images/NAME</c>) and the config drive (token
/// required). The real Bifrost implementation is built from the same page; this one exists to test the agent alone.
/// </summary>
public sealed class ScriptedAgentServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly ConcurrentQueue<(string Id, string Text)> _queue = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly object _gate = new();
    private string? _inFlight;
    private int _next;

    public ScriptedAgentServer(string node, string mac)
    {
        Node = node;
        Mac = mac;
        Port = Bifrost.TestKit.Net.FreeTcpPort();
        // "+": the guest connects through QEMU's slirp with Host: 10.0.2.2:PORT, which a 127.0.0.1 prefix would refuse.
        _listener.Prefixes.Add($"http://+:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public string Node { get; }
    public string Mac { get; }
    public int Port { get; }
    public string Token { get; } = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');
    public ConcurrentDictionary<string, byte[]> Files { get; } = new();
    public ConcurrentQueue<string> Events { get; } = new();
    public int Lookups;
    public int Heartbeats;
    public int RejectedTokens;
    /// <summary>The <c>bifrost.log_tail</c> of the last heartbeat that reported a failed command.</summary>
    public string? LastLogTail { get; private set; }

    /// <summary>Queues a command (key=value lines without <c>id</c>); completes with the agent's final command report.</summary>
    public Task<JsonElement> RunAsync(string lines)
    {
        var id = $"c{Interlocked.Increment(ref _next)}";
        var tcs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = tcs;
        var all = lines.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        _queue.Enqueue((id, string.Join('\n', [all[0], $"id={id}", .. all[1..]]) + "\n"));
        return tcs.Task;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            try
            {
                await HandleAsync(context);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or JsonException or InvalidOperationException)
            {
                Events.Enqueue($"error: {e.Message}");
                try { context.Response.Abort(); } catch (ObjectDisposedException) { }
            }
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        if (request.HttpMethod == "GET" && path == "/v1/lookup")
        {
            Interlocked.Increment(ref Lookups);
            var addresses = request.QueryString["addresses"] ?? "";
            Events.Enqueue($"lookup {addresses} {request.QueryString["node_uuid"]}");
            if (!addresses.Split(',').Contains(Mac, StringComparer.OrdinalIgnoreCase))
            {
                await ReplyAsync(context, 404, "application/json", "{\"error_message\": \"Resource could not be found.\"}");
                return;
            }
            // The two members the agent reads with sed, written as the doc says: one space after the colon.
            await ReplyAsync(context, 200, "application/json",
                $"{{\"node\": {{\"uuid\": \"{Node}\", \"properties\": {{}}}}, \"config\": {{\"heartbeat_timeout\": 300, " +
                $"\"agent_token\": \"{Token}\", \"agent_token_required\": true, \"bifrost\": {{\"heartbeat_interval\": 1}}}}}}");
            return;
        }
        if (request.HttpMethod == "POST" && path == $"/v1/heartbeat/{Node}")
        {
            using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("agent_token", out var token) || token.GetString() != Token)
            {
                Interlocked.Increment(ref RejectedTokens);
                await ReplyAsync(context, 400, "application/json", "{\"error_message\": \"Invalid or missing agent token received.\"}");
                return;
            }
            Interlocked.Increment(ref Heartbeats);
            await ReplyAsync(context, 202, "text/plain", OnHeartbeat(doc.RootElement));
            return;
        }
        if (request.HttpMethod == "GET" && path.StartsWith("/images/", StringComparison.Ordinal)
            && Files.TryGetValue(path["/images/".Length..], out var image))
        {
            await ReplyAsync(context, 200, "application/octet-stream", image);
            return;
        }
        if (request.HttpMethod == "GET" && path == $"/v1/agent/{Node}/configdrive" && Files.TryGetValue("configdrive", out var drive))
        {
            if (request.Headers["X-Agent-Token"] != Token) await ReplyAsync(context, 401, "text/plain", "token required");
            else await ReplyAsync(context, 200, "application/octet-stream", drive);
            return;
        }
        await ReplyAsync(context, 404, "text/plain", "not found");
    }

    private string OnHeartbeat(JsonElement heartbeat)
    {
        lock (_gate)
        {
            if (heartbeat.TryGetProperty("bifrost", out var ext) && ext.TryGetProperty("command", out var command))
            {
                var id = command.GetProperty("id").GetString()!;
                var status = command.GetProperty("status").GetString();
                if (status == "running") return "command=none\ninterval=1\n";
                if (status == "failed" && ext.TryGetProperty("log_tail", out var tail)) LastLogTail = tail.GetString();
                if (id == _inFlight)
                {
                    _inFlight = null;
                    Events.Enqueue($"{id} {status}");
                    if (_pending.TryRemove(id, out var tcs)) tcs.TrySetResult(command.Clone());
                }
            }
            if (_inFlight is null && _queue.TryDequeue(out var next))
            {
                _inFlight = next.Id;
                Events.Enqueue($"issue {next.Id}");
                return next.Text;
            }
            return "command=none\ninterval=1\n";
        }
    }

    private static Task ReplyAsync(HttpListenerContext context, int status, string type, string body) =>
        ReplyAsync(context, status, type, Encoding.UTF8.GetBytes(body));

    private static async Task ReplyAsync(HttpListenerContext context, int status, string type, byte[] body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = type;
        context.Response.ContentLength64 = body.Length;
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
