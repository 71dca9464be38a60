using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bifrost.TestKit;

namespace Bifrost.Ramdisk.Tests;

/// <summary>A real HTTP/1.0 file server on loopback (<c>python3 -m http.server</c>) serving a directory; killed on dispose.</summary>
public sealed class PythonHttpServer : IDisposable
{
    private readonly Process _process;

    public PythonHttpServer(string directory)
    {
        var python = Peers.Require("python3", "python3");
        Port = Net.FreeTcpPort();
        _process = Process.Start(new ProcessStartInfo(python)
        {
            ArgumentList = { "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory, Port.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        }) ?? throw new InvalidOperationException("cannot start python3 -m http.server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(100);
            }
        }
    }

    public int Port { get; }

    public string Url(string file) => $"http://127.0.0.1:{Port}/{file}";

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill();
        _process.Dispose();
    }
}
