using System.Diagnostics;

namespace Bifrost.EndToEnd.Tests;

/// <summary>
/// What <c>node show</c> sees while a fake power change or deploy is still running: the action's PUT must already
/// have set the target (and the transitional provision state) when it answered 202 (IRONIC-API.md §2 "--wait", §9.5).
/// The fake delays are long because a CLI start-up can take seconds on a busy machine; the waits overlap other fixtures.
/// </summary>
[Category("EndToEnd")]
[Order(1)] // mostly sleeping: start it first so its waits overlap the other fixtures' CLI calls
public sealed class TransientStateTests : CliFixture
{
    // Long, because one CLI start-up can take 10 s on a busy machine. The power change runs while the deploy and
    // tear-down do, so its longer delay costs no extra time.
    private static readonly TimeSpan PowerDelay = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DeployDelay = TimeSpan.FromSeconds(30);

    protected override IDictionary<string, string> DaemonEnvironment => new Dictionary<string, string>
    {
        ["Bifrost__Fake__PowerDelay"] = PowerDelay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bifrost__Fake__DeployDelay"] = DeployDelay.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Bifrost__Conductor__AutomatedClean"] = "false",
    };

    [Test]
    public async Task Power_deploy_and_undeploy_show_their_targets_while_in_progress()
    {
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "slow-power");
        await CreateNodeAsync("--driver", "fake-hardware", "--name", "slow-deploy");
        await MakeAvailableAsync("slow-deploy");

        // Different nodes, different locks: the power change and the deploy run at the same time.
        var (power, powerClock) = await ActThenShowAsync(["node", "power", "on", "slow-power"], "slow-power", PowerDelay);
        if (power is { } p)
        {
            Assert.That(Str(p, "target_power_state"), Is.EqualTo("power on"));
            Assert.That(Str(p, "power_state"), Is.Null, "fake power is null until its first change completes");
        }
        var (deploy, deployClock) = await ActThenShowAsync(["node", "deploy", "slow-deploy"], "slow-deploy", DeployDelay);
        if (deploy is { } d)
        {
            Assert.That(Str(d, "provision_state"), Is.EqualTo("deploying"));
            Assert.That(Str(d, "target_provision_state"), Is.EqualTo("active"));
        }
        await SleepOutAsync(deployClock, DeployDelay);
        var active = await WaitForNodeAsync("slow-deploy", n => Str(n, "target_provision_state") is null, "a stable state");
        Assert.That(Str(active, "provision_state"), Is.EqualTo("active"));

        // --wait polls once right after the 202, inside the same process, so its debug log sees the tear-down no
        // matter how slow the machine is: the PUT must have set "deleting" before answering (IRONIC-API.md §9.5).
        var undeploy = await RunAsync("--debug", "node", "undeploy", "slow-deploy", "--wait", "180");
        Assert.That(undeploy.ExitCode, Is.Zero, undeploy.ToString());
        Assert.That(undeploy.Stderr, Does.Contain(
            "Still waiting for node slow-deploy to reach state available, the current state is deleting"));
        var available = await ShowNodeAsync("slow-deploy");
        Assert.That(Str(available, "provision_state"), Is.EqualTo("available"));
        Assert.That(Str(available, "target_provision_state"), Is.Null);
        Assert.That(Str(available, "last_error"), Is.Null);

        await SleepOutAsync(powerClock, PowerDelay);
        var powered = await WaitForNodeAsync("slow-power", n => Str(n, "target_power_state") is null, "a settled power state");
        Assert.That(Str(powered, "power_state"), Is.EqualTo("power on"));
        Assert.That(Str(powered, "last_error"), Is.Null);
    }

    /// <summary>
    /// Runs the action, then <c>node show</c>. The show's request left after the action's request, so when both took
    /// less than the fake delay the server cannot have finished: the node returned is mid-action. On a machine too
    /// slow for that, the observation proves nothing and is reported as a warning, not as a pass or a failure.
    /// </summary>
    private async Task<(JsonElement? Node, Stopwatch Clock)> ActThenShowAsync(string[] action, string ident, TimeSpan delay)
    {
        var clock = Stopwatch.StartNew();
        await OkAsync(action);
        var node = await ShowNodeAsync(ident);
        if (clock.Elapsed < delay) return (node, clock);
        Assert.Warn($"baremetal {string.Join(' ', action)} + node show took {clock.Elapsed.TotalSeconds:F1} s, longer than the " +
                    $"{delay.TotalSeconds} s fake delay: too slow to see the node mid-action");
        return (null, clock);
    }

    /// <summary>Waits out the rest of a fake delay without spending CLI start-ups on polls that cannot succeed.</summary>
    private static Task SleepOutAsync(Stopwatch clock, TimeSpan delay) =>
        clock.Elapsed < delay ? Task.Delay(delay - clock.Elapsed) : Task.CompletedTask;
}
