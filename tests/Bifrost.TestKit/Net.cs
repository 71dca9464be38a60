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
}
