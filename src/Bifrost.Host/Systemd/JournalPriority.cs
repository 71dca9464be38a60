using Serilog.Core;
using Serilog.Events;

namespace Bifrost.Host.Systemd;

/// <summary>
/// Under systemd, stdout goes to journald, which reads a leading <c>&lt;N&gt;</c> on each line as the syslog priority
/// (sd-daemon(3)). This enricher adds that prefix as the property <c>SyslogPrefix</c> for the console template, so
/// <c>journalctl -p warning</c> works.
/// </summary>
public sealed class JournalPriority : ILogEventEnricher
{
    public const string Property = "SyslogPrefix";

    /// <summary>systemd sets <c>$JOURNAL_STREAM</c> when stdout/stderr are the journal, and <c>$INVOCATION_ID</c> for
    /// every unit it starts.</summary>
    public static bool UnderSystemd(Func<string, string?> env) =>
        !string.IsNullOrEmpty(env("JOURNAL_STREAM")) || !string.IsNullOrEmpty(env("INVOCATION_ID"));

    /// <summary>syslog(3) priorities: err 3, warning 4, info 6, debug 7; Fatal is crit (2).</summary>
    public static int Priority(LogEventLevel level) => level switch
    {
        LogEventLevel.Fatal => 2,
        LogEventLevel.Error => 3,
        LogEventLevel.Warning => 4,
        LogEventLevel.Information => 6,
        _ => 7,
    };

    private static readonly LogEventProperty[] Prefixes =
        Enum.GetValues<LogEventLevel>().Select(l => new LogEventProperty(Property, new ScalarValue($"<{Priority(l)}>"))).ToArray();

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) =>
        logEvent.AddPropertyIfAbsent(Prefixes[(int)logEvent.Level]);
}
