using System.Text.Json.Nodes;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Cli;

/// <summary>
/// Every <c>bifrost</c> client verb against a live <c>bifrost serve</c> (fake-hardware nodes, deploys take
/// <see cref="DeploySeconds"/> s), with --json output parsed and the documented exit codes checked.
/// </summary>
[Category("EndToEnd")]
public partial class ClientVerbTests
{
    protected const int DeploySeconds = 2;
    protected const string Secret = "cli-pw-Zq81xv";
    private TempDirectory _dir = null!;
    protected BifrostProcess Daemon { get; private set; } = null!;
    protected BifrostCliRunner Cli { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _dir = new TempDirectory("bifrost-cli-e2e");
        Daemon = await BifrostProcess.StartAsync(Path.Combine(_dir.Path, "var"), new Dictionary<string, string>
        {
            ["Bifrost__Fake__DeployDelay"] = DeploySeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Cli = new BifrostCliRunner(Daemon.BaseUri, _dir.Path);
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await Daemon.DisposeAsync();
        _dir.Dispose();
    }

    /// <summary>Runs the client, expects <paramref name="code"/>, and checks no password ever shows in its output.</summary>
    protected async Task<CliRun> Expect(int code, params string[] args)
    {
        var run = await Cli.RunAsync(args);
        Assert.That(run.Code, Is.EqualTo(code), $"bifrost {string.Join(' ', args)}\n{run}");
        Assert.That(run.Out + run.Err, Does.Not.Contain(Secret));
        return run;
    }

    protected async Task<JsonObject> Json(params string[] args) =>
        JsonNode.Parse((await Expect(0, [.. args, "--json"])).Out)!.AsObject();

    protected static string S(JsonNode? n) => n?.GetValue<string>() ?? "";

    protected static string NewName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];

    [Test]
    public async Task Node_verbs_drive_a_node_through_its_life_with_json_output()
    {
        var name = NewName("life");
        var created = await Json("node", "create", "--driver", "fake-hardware", "--name", name, "--property", "cpus=2",
            "--driver-info", $"fake_password={Secret}");
        Assert.That(S(created["name"]), Is.EqualTo(name));
        Assert.That(S(created["provision_state"]), Is.EqualTo("enroll"));
        Assert.That(S(created["driver_info"]!["fake_password"]), Is.EqualTo("******"), "the API masks it, the CLI prints what it got");

        var list = await Json("node", "list");
        var mine = list["nodes"]!.AsArray().Single(n => S(n!["name"]) == name)!.AsObject();
        Assert.That(mine.Select(kv => kv.Key), Is.EqualTo(new[]
            { "uuid", "name", "driver", "power_state", "provision_state", "target_provision_state", "maintenance", "last_error" }),
            "node list --json has a stable shape");
        Assert.That(S((await Json("node", "show", name))["uuid"]), Is.EqualTo(S(created["uuid"])));

        foreach (var (verb, expected) in ((string, string)[])[("manage", "manageable"), ("inspect", "manageable"),
                     ("provide", "available")])
            Assert.That(S((await Json("node", verb, name, "--wait"))["provision_state"]), Is.EqualTo(expected), verb);
        var deployed = await Json("node", "deploy", name, "--wait", "--image", "http://images.example/debian.qcow2",
            "--image-checksum", "sha256:abc");
        Assert.That(S(deployed["provision_state"]), Is.EqualTo("active"));
        Assert.That(S(deployed["instance_info"]!["image_checksum"]), Is.EqualTo("sha256:abc"), "--image sets instance_info first");
        Assert.That(S((await Json("node", "undeploy", name, "--wait"))["provision_state"]), Is.EqualTo("available"));

        foreach (var (verb, expected) in ((string, string)[])[("on", "power on"), ("off", "power off"),
                     ("reboot", "power on"), ("soft-off", "power off")])
            Assert.That(S((await Json("node", "power", verb, name, "--wait"))["power_state"]), Is.EqualTo(expected), verb);

        var on = await Json("node", "maintenance", "on", name, "--reason", "disk swap");
        Assert.That(on["maintenance"]!.GetValue<bool>(), Is.True);
        Assert.That(S(on["maintenance_reason"]), Is.EqualTo("disk swap"));
        Assert.That((await Json("node", "maintenance", "off", name))["maintenance"]!.GetValue<bool>(), Is.False);

        var timeline = await Json("node", "timeline", name);
        Assert.That(timeline["waiting"], Is.Null);
        Assert.That(timeline["events"]!.AsArray().Select(e => S(e!["event"])), Has.Some.Contains("deploying → active"));
        var text = (await Expect(0, "node", "timeline", name)).Out;
        Assert.That(text, Does.Contain($"node {name} (").And.Contain("available, power power off").And.Contain("Time (UTC)"));

        Assert.That((await Json("node", "delete", name))["deleted"]!.AsArray().Select(S), Is.EqualTo(new[] { name }));
        await Expect(3, "node", "show", name);
    }

    [Test]
    public async Task Port_verbs_create_find_by_mac_or_uuid_list_and_delete()
    {
        var name = NewName("ports");
        await Json("node", "create", "--driver", "fake-hardware", "--name", name);
        var port = await Json("port", "create", "52:54:00:bb:00:01", "--node", name);
        var uuid = S(port["uuid"]);
        Assert.That(S(port["address"]), Is.EqualTo("52:54:00:bb:00:01"));

        var listed = (await Json("port", "list", "--node", name))["ports"]!.AsArray();
        Assert.That(listed.Select(p => S(p!["uuid"])), Is.EqualTo(new[] { uuid }));
        Assert.That(listed[0]!.AsObject().Select(kv => kv.Key), Is.EqualTo(new[] { "uuid", "address", "node_uuid", "pxe_enabled" }));
        Assert.That(S((await Json("port", "show", "52:54:00:BB:00:01"))["uuid"]), Is.EqualTo(uuid), "by MAC, any case");
        Assert.That(S((await Json("port", "show", uuid))["address"]), Is.EqualTo("52:54:00:bb:00:01"));
        Assert.That((await Expect(0, "port", "list")).Out, Does.Contain(uuid).And.Contain("Address"), "a table by default");

        await Json("port", "delete", uuid);
        await Expect(3, "port", "show", uuid);
        await Expect(3, "port", "show", "52:54:00:bb:00:01");
    }

    private static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return new TestCaseData((object)new[] { "node", "show" }).SetName("a missing argument exits 2");
        yield return new TestCaseData((object)new[] { "node", "frobnicate", "n1" }).SetName("an unknown verb exits 2");
        yield return new TestCaseData((object)new[] { "node", "list", "--url", "not a url" }).SetName("a bad --url exits 2");
        yield return new TestCaseData((object)new[] { "node", "create", "--driver", "fake-hardware", "--property", "novalue" })
            .SetName("a property that is not KEY=VALUE exits 2");
        yield return new TestCaseData((object)new[] { "enroll", "/nonexistent/inventory.yaml" }).SetName("an unreadable inventory exits 2");
    }

    [TestCaseSource(nameof(UsageErrors))]
    public async Task Usage_errors_exit_2_with_a_message(string[] args)
    {
        var run = await Expect(2, args);
        Assert.That(run.Err, Does.StartWith("bifrost: "));
    }

    [Test]
    public async Task Exit_codes_tell_not_found_api_errors_failed_states_timeouts_and_unreachable_apart()
    {
        Assert.That((await Expect(3, "node", "show", "no-such-node")).Err, Does.Contain("could not be found"));

        var name = NewName("codes");
        await Json("node", "create", "--driver", "fake-hardware", "--name", name);
        Assert.That((await Expect(1, "node", "deploy", name)).Err, Does.Contain("enroll"), "deploy from enroll is refused (400)");

        // ipmi's BMC client is not there yet (or the BMC does not answer): verify fails back to enroll → exit 4.
        var ipmi = NewName("ipmi");
        await Json("node", "create", "--driver", "ipmi", "--name", ipmi, "--driver-info", "ipmi_address=192.0.2.1",
            "--driver-info", "ipmi_username=admin", "--driver-info", $"ipmi_password={Secret}");
        var failed = await Expect(4, "node", "manage", ipmi, "--wait");
        Assert.That(failed.Err, Does.Contain($"{ipmi}: enroll after"));

        await Json("node", "manage", name, "--wait");
        await Json("node", "provide", name, "--wait");
        var timedOut = await Expect(5, "node", "deploy", name, "--wait", "--timeout", "1");
        Assert.That(timedOut.Err, Does.Contain("gave up waiting"));

        var closed = Net.FreeTcpPort();
        var unreachable = await Cli.RunAsync(new Dictionary<string, string> { ["BIFROST_URL"] = $"http://127.0.0.1:{closed}" },
            "node", "list", "--password", Secret, "--user", "admin");
        Assert.That(unreachable.Code, Is.EqualTo(6), unreachable.ToString());
        Assert.That(unreachable.Err, Does.Contain("connection refused").And.Not.Contain(Secret));
    }

    [Test]
    public async Task Credentials_from_options_or_environment_are_sent_but_never_printed()
    {
        var viaOption = await Cli.RunAsync("node", "show", "no-such-node", "--user", "admin", "--password", Secret);
        var viaEnv = await Cli.RunAsync(new Dictionary<string, string> { ["BIFROST_USER"] = "admin", ["BIFROST_PASSWORD"] = Secret },
            "node", "list", "--json");
        Assert.That(viaOption.Code, Is.EqualTo(3), viaOption.ToString());
        Assert.That(viaEnv.Code, Is.Zero, viaEnv.ToString());
        foreach (var run in (CliRun[])[viaOption, viaEnv]) Assert.That(run.Out + run.Err, Does.Not.Contain(Secret));
        Assert.That(Daemon.ReadLog(), Does.Not.Contain(Secret));
    }
}
