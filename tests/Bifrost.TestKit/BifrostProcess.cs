using System.Diagnostics;
using System.Text;

namespace Bifrost.TestKit;

/// <summary>
/// The real <c>bifrost serve</c> as a separate process (for crash tests and the CLI suite): a given state directory,
/// a free loopback port, output captured to <see cref="LogFile"/>. <see cref="Kill"/> is SIGKILL, <see cref="StopAsync"/>
/// SIGTERM.
/// </summary>
public sealed class BifrostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private BifrostProcess(Process process, StreamWriter log, string logFile, Uri baseUri)
    {
        _process = process;
        _log = log;
        LogFile = logFile;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }
    public string LogFile { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;

    /// <summary>The built bifrost.dll next to the test assembly (test projects reference Bifrost.Host).</summary>
    public static string DllPath
    {
        get
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "bifrost.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("bifrost.dll is not next to the tests", dll);
        }
    }

    public static async Task<BifrostProcess> StartAsync(
        string stateDir, IDictionary<string, string>? environment = null, int? port = null, string verb = "serve")
    {
        port ??= Net.FreeTcpPort();
        Directory.CreateDirectory(stateDir);
        var logFile = Path.Combine(stateDir, $"bifrost-{DateTime.UtcNow:HHmmss.fff}.log");
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = stateDir,
        };
        psi.ArgumentList.Add(DllPath);
        psi.ArgumentList.Add(verb);
        psi.Environment["Bifrost__StateDir"] = stateDir;
        psi.Environment["Bifrost__Api__Listen"] = $"127.0.0.1:{port}";
        psi.Environment["Bifrost__Logging__Level"] = "Debug";
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;

        var log = new StreamWriter(logFile, append: true, Encoding.UTF8) { AutoFlush = true };
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start bifrost");
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var result = new BifrostProcess(process, log, logFile, new Uri($"http://127.0.0.1:{port}"));
        await result.WaitReadyAsync(TimeSpan.FromSeconds(60));
        return result;
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"bifrost exited with {_process.ExitCode}:\n{ReadLog()}");
            try
            {
                using var response = await http.GetAsync(new Uri(BaseUri, "/v1"));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"bifrost did not answer within {timeout}:\n{ReadLog()}");
    }

    public string ReadLog()
    {
        lock (_log) _log.Flush();
        using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as in a crash or power loss.</summary>
    public void Kill()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>SIGTERM, then waits for a clean exit; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        if (!_process.HasExited) SendSigterm(_process.Id);
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) await StopAsync(TimeSpan.FromSeconds(15));
        }
        catch (OperationCanceledException)
        {
            Kill();
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static void SendSigterm(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
