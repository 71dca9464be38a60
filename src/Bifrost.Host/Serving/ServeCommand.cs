using System.Net.Sockets;
using Bifrost.Api;
using Bifrost.Bmc.Ipmi;
using Bifrost.Api.Auth;
using Bifrost.Bmc;
using Bifrost.Domain.Conductor;
using Bifrost.Domain.Drivers;
using Bifrost.Domain.Drivers.Fake;
using Bifrost.Domain.Drivers.Ipmi;
using Bifrost.Domain.Images;
using Bifrost.Domain.Store;
using Bifrost.Domain.Timeline;
using Bifrost.Host.Configuration;
using Bifrost.Host.Memory;
using Bifrost.Api.Metrics;
using Bifrost.Host.Systemd;
using Bifrost.Servers.Dhcp;
using Bifrost.Servers.Ipv6;
using Bifrost.Servers.HttpBoot;
using Bifrost.Servers.Images;
using Bifrost.Store.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace Bifrost.Host.Serving;

/// <summary>The composition root: builds the daemon from settings and runs it until SIGTERM/SIGINT.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(BifrostSettings settings, CancellationToken ct)
    {
        Directory.CreateDirectory(settings.StateDir);
        var serilog = Logging.Create(settings);
        using var loggerFactory = new SerilogLoggerFactory(serilog, dispose: true);
        var log = loggerFactory.CreateLogger("Bifrost");

        var migration = await SqliteMigrator.MigrateAsync(settings.DatabasePath, ct);
        if (migration.From != migration.To)
            log.LogInformation("database {Path}: schema version {From} → {To}", settings.DatabasePath, migration.From, migration.To);

        var app = Build(settings, loggerFactory);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e) when (e.InnerException is SocketException || e.Message.Contains("address", StringComparison.OrdinalIgnoreCase))
        {
            var where = settings.Boot.Listen is { } b ? $"{settings.Api.Listen} (API) or {b} (boot)" : settings.Api.Listen;
            await Console.Error.WriteLineAsync($"bifrost: cannot listen on {where}: {e.Message}");
            return 1;
        }
        log.LogInformation("Bifrost API listening on http://{Listen} (state in {StateDir})", settings.Api.Listen, settings.StateDir);
        if (settings.Boot.Listen is { } boot) log.LogInformation("HTTP boot listening on http://{Listen}", boot);
        await app.Services.GetRequiredService<SystemdLifecycle>().ReadyAsync(app.Lifetime, $"API on {settings.Api.Listen}");
        await app.WaitForShutdownAsync(ct);
        log.LogInformation("Bifrost stopped");
        return 0;
    }

    /// <param name="configure">Registers more services after Bifrost's own (tests: a test image service).</param>
    public static WebApplication Build(
        BifrostSettings settings, ILoggerFactory loggerFactory, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = settings.StateDir,
            EnvironmentName = Environments.Production,
            // The builder's default appsettings.json sources (removed just below) would otherwise start a recursive
            // FileSystemWatcher on the content root, i.e. the state directory: every SQLite write, lease flush and
            // image download then wakes a thread. Bifrost reads its own configuration once (ConfigLoader).
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
        });
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Host.ConfigureHostOptions(o => o.ShutdownTimeout = TimeSpan.FromSeconds(20));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = settings.Api.HardBodyLimitBytes;
            k.Listen(settings.ApiEndpoint);
            // HTTP boot: its own listener; UseHttpBoot routes everything arriving there to the boot server only.
            // Plain whole-file GETs are answered before Kestrel's HTTP layer, by sendfile (SendfileConnections).
            if (settings.Boot.Listen is { } boot)
            {
                k.Listen(boot, listen =>
                {
                    if (settings.Boot.Sendfile)
                        listen.Use(next => k.ApplicationServices.GetRequiredService<SendfileConnections>().Wrap(next));
                });
            }
            // Per-connection output buffer before a write waits for the socket (default 64 KiB): image streaming
            // writes in bigger batches with fewer wake-ups (bench/http).
            k.Limits.MaxResponseBufferSize = 1024 * 1024;
        });
        IpxeBinaries.Install(IpxeBinaries.DebianSource, settings.Boot.TftpDir, loggerFactory.CreateLogger("Bifrost.Ipxe"));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(settings.Api);
        services.AddApiAuth(settings.Api);
        services.AddSingleton(settings.Conductor);
        services.AddSingleton(settings.Fake);
        services.AddSingleton<INodeStore>(sp => new SqliteNodeStore(
            new SqliteStoreOptions { DatabasePath = settings.DatabasePath, MaxHistoryPerNode = settings.MaxHistoryPerNode },
            sp.GetRequiredService<TimeProvider>()));
        // One client for the daemon: it keeps BMC sessions open between commands and closes them on shutdown
        // (the container disposes it), since BMCs have few session slots.
        services.AddSingleton<IIpmiClient>(sp => new IpmiClient(
            settings.Ipmi, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton(sp => new DriverRegistry(
        [
            FakeHardware.Create(settings.Fake, sp.GetRequiredService<TimeProvider>()),
            IpmiHardware.Create(sp.GetRequiredService<IIpmiClient>(), sp.GetRequiredService<TimeProvider>(),
                settings.Conductor.PowerStatePollInterval, settings.Conductor.DefaultBootMode,
                // The image service (Bifrost.Servers, images branch) is registered as IImageService; without one,
                // agent deploys fail with a clear error while inspection and cleaning work.
                sp.GetService<IImageService>(), settings.Agent),
        ]));
        services.AddSingleton(settings.Agent);
        services.AddSingleton<Conductor>();
        services.AddHostedService<ConductorService>();
        // Boot timeline (DHCP/TFTP/HTTP hops into node history) and the DHCP server, which is its address book.
        services.AddSingleton(sp => new BootTimeline(
            sp.GetRequiredService<INodeStore>(), sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<BootTimeline>>(), settings.Conductor.Host));
        services.AddHostedService<BootTimelineService>();
        services.AddSingleton<ILeaseStore>(_ => new SqliteLeaseStore(new SqliteStoreOptions { DatabasePath = settings.DatabasePath }));
        var dhcp = settings.Dhcp with
        {
            // "arm64 → an arm64 iPXE if present": offer it only when the file is really in the TFTP root.
            Arm64BootFile = settings.Dhcp.Arm64BootFile is { } arm64 && File.Exists(Path.Combine(settings.StateDir, "tftp", arm64))
                ? arm64 : null,
        };
        services.AddSingleton(sp => new DhcpServer(
            dhcp, sp.GetRequiredService<ILeaseStore>(), sp.GetRequiredService<INodeStore>(), sp.GetRequiredService<BootTimeline>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DhcpServer>>()));
        services.AddHostedService(sp => sp.GetRequiredService<DhcpServer>());
        if (dhcp.Mode != DhcpMode.Off) services.AddSingleton<IReadinessCheck, DhcpReadiness>();
        if (settings.RouterAdvertisement && dhcp.Interface is { } raInterface)
            services.AddHostedService(sp => new RouterAdvertiser(raInterface, sp.GetRequiredService<ILogger<RouterAdvertiser>>()));
        services.AddSingleton(settings.Boot);
        services.AddSingleton<BootFiles>();
        services.AddSingleton<SendfileConnections>();
        services.AddSingleton<HttpBootServer>();
        // Instance images: prepared (downloaded, verified, qcow2 → raw view) for the deploy flow, served by HttpBoot.
        services.AddSingleton(settings.Images);
        services.AddSingleton<ImageService>();
        services.AddSingleton<Bifrost.Domain.Images.IImageService>(sp => sp.GetRequiredService<ImageService>());
        if (settings.Tftp is { } tftp)
        {
            services.AddSingleton(sp => new TftpService(tftp, sp));
            services.AddHostedService(sp => sp.GetRequiredService<TftpService>());
            services.AddSingleton<IReadinessCheck, TftpReadiness>();
        }
        services.AddSystemdNotify();
        // Gives back what a burst left resident once the daemon is quiet again (issue 6: idle RSS).
        services.AddSingleton(IdleTrimPolicy.CreateDefault());
        services.AddHostedService<IdleMemoryTrimmer>();
        configure?.Invoke(services);

        var app = builder.Build();
        app.UseHttpBoot();
        app.UseBifrostApi();
        return app;
    }
}
