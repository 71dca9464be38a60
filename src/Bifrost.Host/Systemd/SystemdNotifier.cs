using System.Net.Sockets;
using System.Text;

namespace Bifrost.Host.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram per state change to the Unix socket named by <c>$NOTIFY_SOCKET</c>
/// ("READY=1", "STOPPING=1", "WATCHDOG=1", "STATUS=..."). A name starting with '@' is an abstract socket (the '@' is
/// a NUL byte on the wire). Outside systemd (<c>NOTIFY_SOCKET</c> unset) every call does nothing. Failures are
/// reported, never thrown: a lost notification must not take the daemon down (systemd then times it out itself).
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _endpoint;
    private readonly Lock _gate = new();

    public SystemdNotifier(string? notifySocket)
    {
        if (string.IsNullOrEmpty(notifySocket)) return;
        // sd_notify accepts absolute paths and '@abstract' names only; anything else (e.g. vsock: addresses) is not ours.
        if (notifySocket[0] != '/' && notifySocket[0] != '@') return;
        var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
        _endpoint = new UnixDomainSocketEndPoint(path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>The notifier for this process: <c>$NOTIFY_SOCKET</c>, or an inactive one.</summary>
    public static SystemdNotifier FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    /// <summary>True when systemd (or a test) asked for notifications.</summary>
    public bool IsActive => _socket is not null;

    /// <summary>Sends one notification ("KEY=VALUE" lines); returns the error text when it could not be sent.</summary>
    public string? Notify(string state)
    {
        if (_socket is null || _endpoint is null) return null;
        try
        {
            lock (_gate) _socket.SendTo(Encoding.UTF8.GetBytes(state), SocketFlags.None, _endpoint);
            return null;
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return e.Message;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
