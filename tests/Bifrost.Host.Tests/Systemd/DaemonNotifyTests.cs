using Bifrost.TestKit;
using NUnit.Framework;

namespace Bifrost.Host.Tests.Systemd;

/// <summary>The real <c>bifrost serve</c> with a NOTIFY_SOCKET, as systemd starts it with Type=notify.</summary>
[Category("EndToEnd")]
public class DaemonNotifyTests
{
    [Test]
    public async Task Ready_once_the_API_answers_watchdog_while_running_stopping_on_sigterm()
    {
        using var dir = new TempDirectory();
        using var socket = new NotifySocket(@abstract: false, dir.Path);
        var port = Net.FreeTcpPort();

        // Listen before the daemon starts; on READY, ask the API at once: it must already answer.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var ready = Task.Run(async () =>
        {
            var message = await socket.WaitForAsync("READY=1", TimeSpan.FromSeconds(90));
            if (message is null) return (Message: (string?)null, ApiStatus: 0);
            using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/v1"));
            return (Message: message, ApiStatus: (int)response.StatusCode);
        });

        await using var bifrost = await BifrostProcess.StartAsync(Path.Combine(dir.Path, "state"), new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socket.EnvironmentValue,
            ["WATCHDOG_USEC"] = "400000",
            ["INVOCATION_ID"] = "0123456789abcdef0123456789abcdef",
        }, port);

        var (readyMessage, apiStatus) = await ready;
        Assert.That(readyMessage, Is.Not.Null, bifrost.ReadLog());
        Assert.That(readyMessage, Does.Contain($"MAINPID={bifrost.Pid}"));
        Assert.That(apiStatus, Is.EqualTo(200), "the API must answer as soon as READY=1 is sent");

        Assert.That(await socket.WaitForAsync("WATCHDOG=1", TimeSpan.FromSeconds(10)), Is.Not.Null,
            "WATCHDOG=1 at half of WATCHDOG_USEC");

        var stopping = socket.WaitForAsync("STOPPING=1", TimeSpan.FromSeconds(30));
        Assert.That(await bifrost.StopAsync(), Is.EqualTo(0));
        Assert.That(await stopping, Is.Not.Null, "STOPPING=1 on SIGTERM");

        // Under systemd (INVOCATION_ID set) every log line starts with its syslog priority for journald.
        var lines = bifrost.ReadLog().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Some.StartsWith("<6>[INF] "));
        Assert.That(lines.Where(l => l.StartsWith("<", StringComparison.Ordinal)), Has.None.Match(@"^<[0-9]>\d{4}-"));
        Assert.That(lines, Has.All.Match(@"^<[2-7]>\[(VRB|DBG|INF|WRN|ERR|FTL)\] |^\s|^[A-Za-z.]+(Exception|Error)"));
    }
}
