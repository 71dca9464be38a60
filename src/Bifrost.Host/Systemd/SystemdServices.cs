using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bifrost.Host.Systemd;

public static class SystemdServices
{
    /// <summary>The notifier from <c>$NOTIFY_SOCKET</c> and the watchdog interval from <c>$WATCHDOG_USEC</c>.</summary>
    public static IServiceCollection AddSystemdNotify(this IServiceCollection services)
    {
        services.AddSingleton(_ => SystemdNotifier.FromEnvironment());
        services.AddSingleton(sp => new SystemdLifecycle(
            sp.GetRequiredService<SystemdNotifier>(), WatchdogInterval.FromEnvironment(),
            sp.GetRequiredService<ILogger<SystemdLifecycle>>()));
        return services;
    }
}
