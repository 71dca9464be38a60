using System.Diagnostics;

namespace Bifrost.TestKit;

/// <summary>What one run of the <c>bifrost</c> client printed and returned.</summary>
public sealed record CliRun(int Code, string Out, string Err)
{
    public override string ToString() => $"exit {Code}\nstdout:\n{Out}\nstderr:\n{Err}";
}

/// <summary>
/// Runs the real <c>bifrost</c> client verbs (the built bifrost.dll) against a daemon: with stdout captured through a
/// pipe (<see cref="RunAsync"/>), or inside a pseudo-terminal made by util-linux <c>script</c>
/// (<see cref="RunInTerminalAsync"/>), which is how an operator sees live progress.
/// </summary>
public sealed class BifrostCliRunner(Uri baseUri, string workingDirectory)
{
    public Uri BaseUri { get; } = baseUri;

    /// <summary>Environment for every run: BIFROST_URL points at the daemon; a test may add or override.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(null, args);

    public async Task<CliRun> RunAsync(IDictionary<string, string>? env, params string[] args)
    {
        var psi = Start("dotnet", env);
        psi.ArgumentList.Add(BifrostProcess.DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        return await RunProcessAsync(psi);
    }

    /// <summary>Runs <c>bifrost ARGS</c> with a terminal as stdout (<c>script -qfc CMD /dev/null</c>); Out is the raw
    /// terminal stream, escape sequences and carriage returns included.</summary>
    public async Task<CliRun> RunInTerminalAsync(params string[] args)
    {
        Peers.Require("script", "bsdutils");
        var psi = Start("script", null);
        var command = string.Join(' ', new[] { "dotnet", BifrostProcess.DllPath }.Concat(args).Select(Quote));
        foreach (var a in (string[])["-qfc", command, "/dev/null"]) psi.ArgumentList.Add(a);
        return await RunProcessAsync(psi);
    }

    private ProcessStartInfo Start(string file, IDictionary<string, string>? env)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = workingDirectory,
        };
        psi.Environment["BIFROST_URL"] = BaseUri.ToString();
        psi.Environment.Remove("BIFROST_USER");
        psi.Environment.Remove("BIFROST_PASSWORD");
        foreach (var (k, v) in Environment) psi.Environment[k] = v;
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        return psi;
    }

    private static async Task<CliRun> RunProcessAsync(ProcessStartInfo psi)
    {
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {psi.FileName}");
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{psi.FileName} {string.Join(' ', psi.ArgumentList)} ran over 120 s");
        }
        return new CliRun(p.ExitCode, await stdout, await stderr);
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
