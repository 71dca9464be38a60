using Bifrost.Host.Configuration;
using Bifrost.Host.Systemd;
using Serilog;
using Serilog.Events;

namespace Bifrost.Host.Serving;

/// <summary>Serilog as the sink behind Microsoft.Extensions.Logging: console always, a file when configured.</summary>
public static class Logging
{
    public static Serilog.ILogger Create(BifrostSettings settings) =>
        Create(settings, JournalPriority.UnderSystemd(Environment.GetEnvironmentVariable));

    public static Serilog.ILogger Create(BifrostSettings settings, bool underSystemd)
    {
        const string template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
        // journald stamps the time itself and reads the <N> prefix as the line's priority.
        var consoleTemplate = underSystemd
            ? "{" + JournalPriority.Property + "}[{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"
            : template;
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(settings.LogLevel)
            // Framework chatter (one line per request) stays out unless asked for.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.With(new JournalPriority())
            .WriteTo.Console(outputTemplate: consoleTemplate, standardErrorFromLevel: null);
        if (settings.LogFile is not null)
            config = config.WriteTo.File(settings.LogFile, outputTemplate: template, rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14, fileSizeLimitBytes: 100L * 1024 * 1024, rollOnFileSizeLimit: true);
        return config.CreateLogger();
    }
}
