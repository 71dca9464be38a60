using System.Net;
using System.Net.Sockets;

namespace Bifrost.TestKit;

public static class Net
{
    /// <summary>A loopback TCP port that was free a moment ago (the OS picks it).</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A UDP port that was free on <paramref name="address"/> (any 127.x works) a moment ago.</summary>
    public static int FreeUdpPort(string address = "127.0.0.1")
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
