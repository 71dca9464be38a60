using Bifrost.Host.Systemd;
using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Systemd;

public class NotifyTests
{
    private static IEnumerable<TestCaseData> Sockets()
    {
        yield return new TestCaseData(false).SetName("a notification reaches a socket named by a path");
        yield return new TestCaseData(true).SetName("a notification reaches an abstract socket named '@name'");
    }

    [TestCaseSource(nameof(Sockets))]
    public async Task Notifier_sends_one_datagram_per_call(bool @abstract)
    {
        using var dir = new TempDirectory();
        using var socket = new NotifySocket(@abstract, dir.Path);
        using var notifier = new SystemdNotifier(socket.EnvironmentValue);

        Assert.That(notifier.IsActive, Is.True);
        Assert.That(notifier.Notify("READY=1\nSTATUS=up"), Is.Null);
        Assert.That(await socket.ReceiveAsync(TimeSpan.FromSeconds(5)), Is.EqualTo("READY=1\nSTATUS=up"));
    }

    private static IEnumerable<TestCaseData> Inactive()
    {
        yield return new TestCaseData(null).SetName("no NOTIFY_SOCKET → notifications do nothing");
        yield return new TestCaseData("").SetName("an empty NOTIFY_SOCKET → notifications do nothing");
        yield return new TestCaseData("vsock:2:1234").SetName("a NOTIFY_SOCKET that is not a path or @name is ignored");
    }

    [TestCaseSource(nameof(Inactive))]
    public void Notifier_is_inactive_without_a_usable_socket(string? value)
    {
        using var notifier = new SystemdNotifier(value);
        Assert.That(notifier.IsActive, Is.False);
        Assert.That(notifier.Notify("READY=1"), Is.Null);
    }

    [Test]
    public void A_socket_nobody_listens_on_is_reported_not_thrown()
    {
        using var dir = new TempDirectory();
        using var notifier = new SystemdNotifier(Path.Combine(dir.Path, "gone.sock"));
        Assert.That(notifier.Notify("READY=1"), Is.Not.Null);
    }

    private static IEnumerable<TestCaseData> Watchdogs()
    {
        TestCaseData Case(string? usec, string? pid, double? seconds, string rule) =>
            new TestCaseData(usec, pid, seconds).SetName(rule);
        yield return Case("60000000", null, 30, "WATCHDOG_USEC=60 s → ping every 30 s (half)");
        yield return Case("60000000", "4242", 30, "WATCHDOG_PID naming this process → ping");
        yield return Case("60000000", "4243", null, "WATCHDOG_PID naming another process → no ping");
        yield return Case(null, null, null, "no WATCHDOG_USEC → no ping");
        yield return Case("0", null, null, "WATCHDOG_USEC=0 → no ping");
        yield return Case("soon", null, null, "a WATCHDOG_USEC that is not a number → no ping");
    }

    [TestCaseSource(nameof(Watchdogs))]
    public void Watchdog_interval_is_half_the_timeout(string? usec, string? pid, double? seconds)
    {
        var interval = WatchdogInterval.From(usec, pid, ownPid: 4242);
        Assert.That(interval?.TotalSeconds, Is.EqualTo(seconds));
    }
}
