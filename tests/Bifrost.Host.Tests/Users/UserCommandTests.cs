using System.Diagnostics;
using Bifrost.Api.Auth;
using Bifrost.Host.Configuration;
using Bifrost.TestKit;
using Microsoft.Extensions.Configuration;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Users;

/// <summary><c>bifrost user add|remove|list</c> through the real executable, and the auth configuration keys.</summary>
public class UserCommandTests
{
    private TempDirectory _dir = null!;

    [SetUp]
    public void SetUp() => _dir = new TempDirectory("bifrost-users");

    [TearDown]
    public void TearDown() => _dir.Dispose();

    private string UsersPath => Path.Combine(_dir.Path, "var", "users");

    private async Task<(int Code, string Out, string Err)> Run(string? stdin, IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = _dir.Path,
        };
        psi.ArgumentList.Add(BifrostProcess.DllPath);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Bifrost__StateDir"] = Path.Combine(_dir.Path, "var");
        psi.Environment["Bifrost__Api__Auth"] = "http_basic";
        foreach (var (k, v) in env ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        if (stdin is not null) await p.StandardInput.WriteAsync(stdin);
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
        return (p.ExitCode, await stdout, await stderr);
    }

    [Test]
    public async Task Add_list_change_remove()
    {
        var add = await Run("first-Pa55\n", null, "user", "add", "alice", "--password-stdin");
        Assert.That(add.Code, Is.EqualTo(0), add.Err);
        Assert.That(add.Out, Does.Contain("user alice added"));
        var bob = await Run("bob-Pa55\n", null, "user", "add", "bob"); // stdin not a terminal: read from it too
        Assert.That(bob.Code, Is.EqualTo(0), bob.Err);

        var list = await Run(null, null, "user", "list");
        Assert.That(list.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries), Is.EqualTo(new[] { "alice", "bob" }));

        var change = await Run("second-Pa55\n", null, "user", "add", "alice", "--password-stdin");
        Assert.That(change.Out, Does.Contain("user alice: password changed"));
        var users = UsersFile.Read(UsersPath);
        Assert.That(users["alice"].Hash.Verify("second-Pa55"u8), Is.True);
        Assert.That(users["alice"].Hash.Verify("first-Pa55"u8), Is.False);
        Assert.That(users["alice"].Hash.Iterations, Is.GreaterThanOrEqualTo(100_000));
        var text = await File.ReadAllTextAsync(UsersPath);
        Assert.That(text, Does.Not.Contain("Pa55"));
        if (!OperatingSystem.IsWindows())
            Assert.That(File.GetUnixFileMode(UsersPath), Is.EqualTo(UnixFileMode.UserRead | UnixFileMode.UserWrite));

        var remove = await Run(null, null, "user", "remove", "alice");
        Assert.That(remove.Code, Is.EqualTo(0), remove.Err);
        Assert.That(UsersFile.Read(UsersPath).Keys, Is.EqualTo(new[] { "bob" }));

        var again = await Run(null, null, "user", "remove", "alice");
        Assert.That(again.Code, Is.EqualTo(1));
        Assert.That(again.Err, Does.Contain("no user alice in"));
    }

    private static IEnumerable<TestCaseData> BadAdds()
    {
        yield return new TestCaseData("", "alice", "no password given").SetName("no stdin → refused");
        yield return new TestCaseData("\n", "alice", "the password must not be empty").SetName("an empty password → refused");
        yield return new TestCaseData("pw\n", "al:ice", "a user name is 1-64 printable characters").SetName("a name with ':' → refused");
    }

    [TestCaseSource(nameof(BadAdds))]
    public async Task Bad_adds_exit_1_and_write_nothing(string stdin, string name, string message)
    {
        var r = await Run(stdin, null, "user", "add", name, "--password-stdin");
        Assert.That(r.Code, Is.EqualTo(1));
        Assert.That(r.Err, Does.Contain(message));
        Assert.That(File.Exists(UsersPath), Is.False);
    }

    [Test]
    public async Task The_password_is_not_an_argument()
    {
        var r = await Run(null, null, "user", "add", "alice", "--password", "on-the-command-line");
        Assert.That(r.Code, Is.Not.EqualTo(0));
        Assert.That(File.Exists(UsersPath), Is.False);
    }

    [Test]
    public async Task Auth_none_on_a_non_loopback_address_refuses_to_start_with_exit_2()
    {
        var env = new Dictionary<string, string> { ["Bifrost__Api__Auth"] = "none", ["Bifrost__Api__Listen"] = "0.0.0.0:6385" };
        var r = await Run(null, env, "serve");
        Assert.That(r.Code, Is.EqualTo(2), r.Out + r.Err);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), r.Err);
        Assert.That(lines[0], Does.StartWith("bifrost: invalid configuration: Bifrost:Api:Auth = none on the non-loopback address 0.0.0.0:6385"));
    }

    private static BifrostSettings Load(params (string Key, string Value)[] values) =>
        BifrostSettings.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    private static IEnumerable<TestCaseData> Exposures()
    {
        TestCaseData Case(string auth, string listen, string? allow, bool starts, string rule) =>
            new TestCaseData(auth, listen, allow, starts).SetName(rule);
        yield return Case("none", "127.0.0.1:6385", null, true, "none on 127.0.0.1 → allowed");
        yield return Case("none", "[::1]:6385", null, true, "none on ::1 → allowed");
        yield return Case("none", "127.0.0.53:6385", null, true, "none on 127.0.0.53 → allowed (all of 127/8 is loopback)");
        yield return Case("none", "0.0.0.0:6385", null, false, "none on 0.0.0.0 → refused");
        yield return Case("none", "[::]:6385", null, false, "none on :: → refused");
        yield return Case("none", "192.0.2.10:6385", null, false, "none on a LAN address → refused");
        yield return Case("none", "0.0.0.0:6385", "true", true, "none on 0.0.0.0 with AllowInsecureNoAuth=true → allowed");
        yield return Case("http_basic", "0.0.0.0:6385", null, true, "http_basic on 0.0.0.0 → allowed");
    }

    [TestCaseSource(nameof(Exposures))]
    public void Auth_none_only_on_loopback_unless_forced(string auth, string listen, string? allow, bool starts)
    {
        var values = new List<(string, string)> { ("Bifrost:Api:Auth", auth), ("Bifrost:Api:Listen", listen) };
        if (allow is not null) values.Add(("Bifrost:Api:AllowInsecureNoAuth", allow));
        if (starts) Assert.DoesNotThrow(() => Load([.. values]));
        else Assert.That(() => Load([.. values]), Throws.TypeOf<ConfigError>().With.Message.Contains("AllowInsecureNoAuth"));
    }

    [Test]
    public void Auth_keys_parse_and_default()
    {
        var defaults = Load(("Bifrost:StateDir", "/srv/b"));
        Assert.That(defaults.Api.Auth, Is.EqualTo(ApiAuthMode.None));
        Assert.That(defaults.Api.UsersFile, Is.EqualTo("/srv/b/users"));
        var set = Load(("Bifrost:Api:Auth", "http_basic"), ("Bifrost:Api:UsersFile", "/etc/bifrost/users"));
        Assert.That(set.Api.Auth, Is.EqualTo(ApiAuthMode.HttpBasic));
        Assert.That(set.Api.UsersFile, Is.EqualTo("/etc/bifrost/users"));
        Assert.That(() => Load(("Bifrost:Api:Auth", "keystone")),
            Throws.TypeOf<ConfigError>().With.Message.EqualTo("Bifrost:Api:Auth = 'keystone' must be none or http_basic"));
        Assert.That(() => Load(("Bifrost:Api:AllowInsecureNoAuth", "yes")),
            Throws.TypeOf<ConfigError>().With.Message.StartsWith("Bifrost:Api:AllowInsecureNoAuth = 'yes' must be true or false"));
    }
}
