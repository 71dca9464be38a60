namespace Bifrost.Lab.Tests;

/// <summary>
/// Failure paths that need no agent, on a rack of ghost nodes (BMCs whose chassis only keeps a power-state file, so
/// nothing ever boots and no agent ever calls back) under a short Bifrost:Conductor:DeployCallbackTimeout: the
/// timeout fails the deploy, and <c>abort</c> in <c>wait call-back</c> ends it at once. Automated cleaning is off for
/// these nodes (<c>--no-automated-clean</c>), so <c>provide</c> needs no agent either.
/// </summary>
[Category("EndToEnd")]
[TestFixture]
public class GhostTests
{
    private const int CallbackTimeoutSeconds = 40;
    private TempDirectory _dir = null!;
    private VirtualRack _rack = null!;
    private RackCli _cli = null!;

    [OneTimeSetUp]
    public async Task UpAsync()
    {
        _dir = new TempDirectory("bifrost-ghosts");
        _rack = await VirtualRack.UpAsync(Path.Combine(_dir.Path, "lab"), vms: 0, ghosts: 2, settings: new Dictionary<string, string>
        {
            ["Conductor:DeployCallbackTimeout"] = CallbackTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Conductor:CheckProvisionStateInterval"] = "3",
        });
        _cli = new RackCli(_rack);
        var image = Path.Combine(_rack.StateDir, "images", "marker.img");
        Directory.CreateDirectory(Path.GetDirectoryName(image)!);
        await VirtualRack.MarkerImageAsync(Guid.NewGuid().ToString(), image, mib: 1);
        foreach (var ghost in _rack.Nodes)
        {
            var uuid = (await _cli.OkAsync(["node", "create", "--driver", "ipmi", "--name", ghost.Name, .. ghost.DriverInfoArgs(),
                "--property", "capabilities=boot_mode:bios", "--no-automated-clean", "-f", "value", "-c", "uuid"])).Trim();
            await _cli.OkAsync("port", "create", ghost.Mac, "--node", uuid);
            await _cli.OkAsync("node", "manage", ghost.Name, "--wait", "120");
            await _cli.OkAsync("node", "provide", ghost.Name, "--wait", "120");
            await _cli.OkAsync("node", "set", ghost.Name, "--instance-info", "image_source=marker.img",
                "--instance-info", $"image_checksum={RackCli.Sha256(image)}");
        }
    }

    [OneTimeTearDown]
    public async Task DownAsync()
    {
        if (_rack is not null) await _rack.DisposeAsync();
        _dir?.Dispose();
    }

    [Test]
    public async Task An_agent_that_never_calls_back_fails_the_deploy_after_the_callback_timeout()
    {
        var ghost = _rack.Node("ghost-1");
        var started = DateTime.UtcNow;
        var deploy = await _cli.RunAsync("node", "deploy", ghost.Name, "--wait", "600");
        var took = DateTime.UtcNow - started;

        Assert.That(deploy.ExitCode, Is.Not.EqualTo(0), deploy.ToString());
        var node = await _cli.ShowAsync(ghost.Name);
        Assert.That(node["provision_state"]!.GetValue<string>(), Is.EqualTo("deploy failed"));
        Assert.That(node["last_error"]?.ToString(), Does.Contain("imeout").Or.Contain("timed out"), "last_error says it timed out");
        Assert.That(took, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(CallbackTimeoutSeconds)), "not before the timeout");
        Assert.That(ghost.ChassisCalls(), Does.Contain("set power 1"), "the deploy powered the node on");
        Assert.That(await LabScriptTests.Eventually(() => !ghost.PoweredOn), Is.True, "powered off after the failure");
    }

    [Test]
    public async Task Abort_in_wait_call_back_fails_the_deploy_at_once_and_powers_off()
    {
        var ghost = _rack.Node("ghost-2");
        await _cli.OkAsync("node", "deploy", ghost.Name);
        await _cli.WaitForAsync(ghost.Name, n => n["provision_state"]?.ToString() == "wait call-back", TimeSpan.FromSeconds(30),
            "wait call-back");
        Assert.That(await LabScriptTests.Eventually(() => ghost.PoweredOn), Is.True, "the deploy powered the node on");

        await _cli.OkAsync("node", "abort", ghost.Name);

        var node = await _cli.WaitForAsync(ghost.Name, n => n["provision_state"]?.ToString() == "deploy failed", TimeSpan.FromSeconds(30),
            "deploy failed after abort");
        Assert.That(node["last_error"]?.ToString(), Does.Contain("bort"), "last_error says it was aborted");
        Assert.That(node["reservation"]?.GetValue<string?>(), Is.Null);
        Assert.That(await LabScriptTests.Eventually(() => !ghost.PoweredOn), Is.True, "powered off after the abort");
    }
}
