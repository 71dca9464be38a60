using System.Diagnostics;

namespace Bifrost.TestKit;

/// <summary>The real <c>baremetal</c> CLI (Debian's python3-ironicclient) pointed at a Bifrost, without Keystone.
/// <paramref name="wrapper"/>, when given, is put in front of the command (e.g. <c>ip netns exec NS</c> for a Bifrost
/// inside a network namespace, see <see cref="VirtualRack"/>).</summary>
public sealed class BaremetalCli(Uri endpoint, string home, IReadOnlyList<string>? wrapper = null)
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
    }

    /// <summary>Runs <c>baremetal ARGS</c>; <paramref name="retries"/> 0 turns off the client's 409 retry loop.</summary>
    public async Task<Result> RunAsync(IEnumerable<string> args, int? retries = 0, TimeSpan? timeout = null)
    {
        var exe = Peers.Require("baremetal", "python3-ironicclient");
        var psi = new ProcessStartInfo(wrapper is { Count: > 0 } ? wrapper[0] : exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (wrapper is { Count: > 0 })
        {
            foreach (var w in wrapper.Skip(1)) psi.ArgumentList.Add(w);
            psi.ArgumentList.Add(exe);
        }
        psi.ArgumentList.Add("--os-auth-type");
        psi.ArgumentList.Add("none");
        psi.ArgumentList.Add("--os-endpoint");
        psi.ArgumentList.Add(endpoint.ToString().TrimEnd('/'));
        if (retries is { } r)
        {
            psi.ArgumentList.Add("--max-retries");
            psi.ArgumentList.Add(r.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = home;
        psi.Environment.Remove("OS_CLOUD");

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start baremetal");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(120));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"baremetal {string.Join(' ', args)} did not finish");
        }
        return new Result(p.ExitCode, await stdout, await stderr);
    }

    public Task<Result> RunAsync(params string[] args) => RunAsync(args, 0);
}
