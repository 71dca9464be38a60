using System.Net.Sockets;
using System.Text;

namespace Bifrost.Host.Tests.Systemd;

/// <summary>The receiving end of sd_notify, as systemd holds it: a Unix datagram socket (path or abstract name).</summary>
internal sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string? _path;

    public NotifySocket(bool @abstract, string directory)
    {
        var name = $"bifrost-notify-{Environment.ProcessId}-{Guid.NewGuid():N}";
        if (@abstract)
        {
            _socket.Bind(new UnixDomainSocketEndPoint("\0" + name));
            EnvironmentValue = "@" + name;
        }
        else
        {
            _path = Path.Combine(directory, "notify.sock");
            _socket.Bind(new UnixDomainSocketEndPoint(_path));
            EnvironmentValue = _path;
        }
    }

    /// <summary>What goes into <c>$NOTIFY_SOCKET</c>.</summary>
    public string EnvironmentValue { get; }

    /// <summary>The next datagram, or null after <paramref name="timeout"/>.</summary>
    public async Task<string?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var n = await _socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Datagrams until one contains <paramref name="line"/> (a line of its own), or null on timeout.</summary>
    public async Task<string?> WaitForAsync(string line, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = await ReceiveAsync(deadline - DateTime.UtcNow);
            if (message is null) return null;
            if (message.Split('\n').Contains(line)) return message;
        }
        return null;
    }

    public void Dispose()
    {
        _socket.Dispose();
        if (_path is not null) File.Delete(_path);
    }
}
