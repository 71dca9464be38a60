using Bifrost.Host.Systemd;
using NUnit.Framework;
using Serilog.Events;

namespace Bifrost.Host.Tests.Systemd;

public class JournalTests
{
    private static IEnumerable<TestCaseData> Levels()
    {
        yield return new TestCaseData(LogEventLevel.Fatal, 2).SetName("Fatal → <2> (crit)");
        yield return new TestCaseData(LogEventLevel.Error, 3).SetName("Error → <3> (err)");
        yield return new TestCaseData(LogEventLevel.Warning, 4).SetName("Warning → <4> (warning)");
        yield return new TestCaseData(LogEventLevel.Information, 6).SetName("Information → <6> (info)");
        yield return new TestCaseData(LogEventLevel.Debug, 7).SetName("Debug → <7> (debug)");
        yield return new TestCaseData(LogEventLevel.Verbose, 7).SetName("Verbose → <7> (debug)");
    }

    [TestCaseSource(nameof(Levels))]
    public void Levels_map_to_syslog_priorities(LogEventLevel level, int priority) =>
        Assert.That(JournalPriority.Priority(level), Is.EqualTo(priority));

    private static IEnumerable<TestCaseData> Environments()
    {
        yield return new TestCaseData(null, null, false).SetName("neither JOURNAL_STREAM nor INVOCATION_ID → plain lines");
        yield return new TestCaseData("8:12345", null, true).SetName("JOURNAL_STREAM set → <N> prefixes");
        yield return new TestCaseData(null, "0123abcd", true).SetName("INVOCATION_ID set → <N> prefixes");
    }

    [TestCaseSource(nameof(Environments))]
    public void Prefixes_only_under_systemd(string? journalStream, string? invocationId, bool expected)
    {
        var env = new Dictionary<string, string?> { ["JOURNAL_STREAM"] = journalStream, ["INVOCATION_ID"] = invocationId };
        Assert.That(JournalPriority.UnderSystemd(k => env.GetValueOrDefault(k)), Is.EqualTo(expected));
    }
}
