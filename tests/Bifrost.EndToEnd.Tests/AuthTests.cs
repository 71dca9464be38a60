using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// A whole session with <c>Bifrost:Api:Auth = http_basic</c>: a user added with <c>bifrost user add</c>, the real
/// <c>baremetal</c> CLI with <c>--os-auth-type http_basic</c> (right, wrong and missing credentials), an IPMI node with
/// a BMC password, then every byte the session wrote (daemon console, daemon log file, CLI output) searched for the
/// secrets.
/// </summary>
[Category("EndToEnd")]
public sealed class AuthTests
{
    private const string UserPassword = "Api-User-Pa55-e2e-38d1";
    private const string BmcPassword = "Bmc-Pa55w0rd-e2e-a9e2";

    [Test]
    public async Task Baremetal_cli_with_http_basic_and_no_secret_in_any_output()
    {
        Peers.Require("baremetal", "python3-ironicclient");
        using var dir = new TempDirectory("bifrost-e2e-auth");
        using var home = new TempDirectory("bifrost-e2e-home");
        var state = Path.Combine(dir.Path, "var");
        var logFile = Path.Combine(dir.Path, "bifrost.log");
        var env = new Dictionary<string, string>
        {
            ["Bifrost__Api__Auth"] = "http_basic",
            ["Bifrost__Logging__File"] = logFile,
        };
        var output = new StringBuilder();

        var add = await RunBifrostAsync(state, env, UserPassword + "\n", "user", "add", "ops", "--password-stdin");
        output.AppendLine(add);

        await using var daemon = await BifrostProcess.StartAsync(state, env);
        var ok = new BaremetalHttpBasic(daemon.BaseUri, home.Path, "ops", UserPassword);

        async Task<BaremetalCli.Result> Ok(BaremetalHttpBasic cli, params string[] args)
        {
            var r = await cli.RunAsync(args);
            output.AppendLine(r.ToString());
            Assert.That(r.ExitCode, Is.EqualTo(0), r.ToString());
            return r;
        }

        var created = await Ok(ok, "node", "create", "--driver", "ipmi", "--name", "auth-n1", "-f", "json",
            "--driver-info", "ipmi_address=127.0.0.1", "--driver-info", "ipmi_port=9",
            "--driver-info", "ipmi_username=admin", "--driver-info", $"ipmi_password={BmcPassword}");
        Assert.That(JsonDocument.Parse(created.Stdout).RootElement.GetProperty("driver_info").GetProperty("ipmi_password").GetString(),
            Is.EqualTo("******"));
        await Ok(ok, "node", "list", "--long");
        await Ok(ok, "node", "show", "auth-n1");
        await Ok(ok, "node", "validate", "auth-n1");
        await Ok(ok, "node", "power", "on", "auth-n1"); // fails at the BMC: the error path logs about the node
        await Ok(ok, "node", "history", "list", "auth-n1");
        await Ok(ok, "node", "create", "--driver", "fake-hardware", "--name", "auth-n2");
        await Ok(ok, "node", "manage", "auth-n2", "--wait", "60");

        foreach (var (user, password, rule) in new[]
                 {
                     ("ops", "Not-" + UserPassword, "wrong password"),
                     ("nobody", UserPassword, "unknown user"),
                 })
        {
            var r = await new BaremetalHttpBasic(daemon.BaseUri, home.Path, user, password).RunAsync("node", "list");
            output.AppendLine(r.ToString());
            Assert.That(r.ExitCode, Is.Not.EqualTo(0), $"{rule}: {r}");
            Assert.That(r.Stderr, Does.Contain("401"), $"{rule}: {r}");
        }
        var none = await new BaremetalCli(daemon.BaseUri, home.Path).RunAsync("node", "list");
        output.AppendLine(none.ToString());
        Assert.That(none.ExitCode, Is.Not.EqualTo(0), none.ToString());
        Assert.That(none.Stderr, Does.Contain("401"), none.ToString());

        Assert.That(await daemon.StopAsync(), Is.EqualTo(0));
        var console = daemon.ReadLog();
        // The file sink rolls daily: bifrost.log is written as bifrostYYYYMMDD.log.
        var logFiles = Directory.GetFiles(dir.Path, "bifrost*.log");
        Assert.That(logFiles, Is.Not.Empty, "the daemon's log file");
        var file = string.Join("\n", logFiles.Select(File.ReadAllText));
        Assert.That(file, Does.Contain("API login failed for user ops from 127.0.0.1: wrong password"));
        Assert.That(file, Does.Contain("API login failed for user nobody from 127.0.0.1: no such user"));

        var everything = string.Join("\n", console, file, output.ToString(), await File.ReadAllTextAsync(Path.Combine(state, "users")));
        foreach (var secret in new[]
                 {
                     UserPassword, BmcPassword,
                     Convert.ToBase64String(Encoding.UTF8.GetBytes($"ops:{UserPassword}")),
                     Convert.ToBase64String(Encoding.UTF8.GetBytes($"ops:Not-{UserPassword}")),
                 })
            Assert.That(everything, Does.Not.Contain(secret[4..]), "a secret (or its tail) appears in the session's output");
    }

    private static async Task<string> RunBifrostAsync(string state, Dictionary<string, string> env, string stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        psi.ArgumentList.Add(BifrostProcess.DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Bifrost__StateDir"] = state;
        foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        Assert.That(p.ExitCode, Is.EqualTo(0), await stderr);
        return await stdout + await stderr;
    }
}
