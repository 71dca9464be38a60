using Bifrost.Domain.Conductor;
using Bifrost.Domain.States;
using Bifrost.Domain.Timeline;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Domain.Tests;

/// <summary>"Why is it stuck?": what Bifrost says it waits for, by state, with the deadline from the options.</summary>
public class WaitReasonTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(ProvisionState.DeployWait, 180, null, null,
                "waiting for the agent to call back (deadline in 27 min, deploy_callback_timeout)")
            .SetName("wait call-back entered 3 min ago → agent callback, deadline in 27 min");
        yield return new TestCaseData(ProvisionState.CleanWait, 1790, null, null,
                "waiting for the agent to report its clean steps (deadline in 10 s, clean_callback_timeout)")
            .SetName("clean wait near its deadline → seconds left, clean_callback_timeout");
        yield return new TestCaseData(ProvisionState.InspectWait, 1900, null, null,
                "waiting for the agent to post its inspection data (deadline passed 100 s ago, inspect_wait_timeout; the next sweep fails it)")
            .SetName("inspect wait past its deadline → says the sweep will fail it");
        yield return new TestCaseData(ProvisionState.Deploying, 5, "conductor-1", null,
                "waiting for the conductor to finish the deploy step (lock held by conductor-1)")
            .SetName("deploying → the conductor's step, no deadline, who holds the lock");
        yield return new TestCaseData(ProvisionState.Cleaning, 5, null, null,
                "waiting for the conductor to finish cleaning (no lock held: the step is not running)")
            .SetName("cleaning without a lock → says the step is not running");
        yield return new TestCaseData(ProvisionState.Active, 5, null, "power off", "waiting for the power change to power off")
            .SetName("a stable node with a pending power change → waits for the power change");
        yield return new TestCaseData(ProvisionState.Active, 5, null, null, null)
            .SetName("a stable node with nothing pending → waits for nothing");
        yield return new TestCaseData(ProvisionState.DeployFailed, 5, null, null, null)
            .SetName("a failed node → waits for nothing but an operator");
    }

    [TestCaseSource(nameof(Cases))]
    public void Says_what_is_awaited(ProvisionState state, int secondsInState, string? reservation, string? targetPower, string? expected)
    {
        var node = NodeBuilder.Fake("n1");
        node.ProvisionState = state;
        node.ProvisionUpdatedAt = Now - TimeSpan.FromSeconds(secondsInState);
        node.Reservation = reservation;
        node.TargetPowerState = targetPower;
        var reason = WaitReason.For(node, new ConductorOptions(), Now);
        Assert.That(reason?.Message, Is.EqualTo(expected));
    }

    [Test]
    public void The_deadline_is_entry_time_plus_the_timeout_and_zero_means_none()
    {
        var node = NodeBuilder.Fake("n1");
        node.ProvisionState = ProvisionState.DeployWait;
        node.ProvisionUpdatedAt = Now;
        var bounded = WaitReason.For(node, new ConductorOptions { DeployCallbackTimeout = TimeSpan.FromSeconds(600) }, Now)!;
        Assert.That(bounded.Deadline, Is.EqualTo(Now + TimeSpan.FromSeconds(600)));
        var unbounded = WaitReason.For(node, new ConductorOptions { DeployCallbackTimeout = TimeSpan.Zero }, Now)!;
        Assert.That(unbounded.Deadline, Is.Null);
        Assert.That(unbounded.Message, Is.EqualTo("waiting for the agent to call back (no deadline: deploy_callback_timeout is 0)"));
    }
}
