using System.Diagnostics;

namespace Bifrost.TestKit;

/// <summary>
/// The real <c>baremetal</c> CLI with Ironic's http_basic auth plugin:
/// <c>baremetal --os-auth-type http_basic --os-username U --os-password P --os-endpoint URL ...</c>.
/// </summary>
public sealed class BaremetalHttpBasic(Uri endpoint, string home, string user, string password)
{
    public async Task<BaremetalCli.Result> RunAsync(params string[] args)
    {
        var exe = Peers.Require("baremetal", "python3-ironicclient");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[]
                 {
                     "--os-auth-type", "http_basic", "--os-username", user, "--os-password", password,
                     "--os-endpoint", endpoint.ToString().TrimEnd('/'), "--max-retries", "0",
                 })
            psi.ArgumentList.Add(a);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["HOME"] = home;
        foreach (var k in new[] { "OS_CLOUD", "OS_AUTH_TYPE", "OS_USERNAME", "OS_PASSWORD", "OS_ENDPOINT" }) psi.Environment.Remove(k);

        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start baremetal");
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
            throw new TimeoutException($"baremetal {string.Join(' ', args)} did not finish");
        }
        return new BaremetalCli.Result(p.ExitCode, await stdout, await stderr);
    }
}
