using Bifrost.Host.Configuration;
using Serilog;
using Serilog.Events;

namespace Bifrost.Host.Serving;

/// <summary>Serilog as the sink behind Microsoft.Extensions.Logging: console always, a file when configured.</summary>
public static class Logging
{
    public static Serilog.ILogger Create(BifrostSettings settings)
    {
        const string template = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
        var config = new LoggerConfiguration()
            .MinimumLevel.Is(settings.LogLevel)
            // Framework chatter (one line per request) stays out unless asked for.
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: template, standardErrorFromLevel: null);
        if (settings.LogFile is not null)
            config = config.WriteTo.File(settings.LogFile, outputTemplate: template, rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 14, fileSizeLimitBytes: 100L * 1024 * 1024, rollOnFileSizeLimit: true);
        return config.CreateLogger();
    }
}
