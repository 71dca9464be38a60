using System.Diagnostics;
using System.Net.Sockets;

namespace Bifrost.TestKit;

/// <summary>A real HTTP/1.0 file server: python3 -m http.server serving a directory on a free loopback port; counts the
/// GETs it logged; killed on dispose.</summary>
public sealed class PythonHttpServer : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _log = [];

    public PythonHttpServer(string directory)
    {
        var python = Peers.Require("python3", "python3");
        Port = Net.FreeTcpPort();
        var psi = new ProcessStartInfo(python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "-u", "-m", "http.server", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--directory", directory })
            psi.ArgumentList.Add(a);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start python3 -m http.server");
        _process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (_log) _log.Add(line); };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            try
            {
                using var probe = new TcpClient("127.0.0.1", Port);
                break;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                Thread.Sleep(50);
            }
        }
    }

    public int Port { get; }
    public Uri Url(string file) => new($"http://127.0.0.1:{Port}/{file}");

    /// <summary>GET requests logged for <paramref name="file"/>.</summary>
    public int Gets(string file)
    {
        lock (_log) return _log.Count(l => l.Contains($"\"GET /{file} HTTP", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
