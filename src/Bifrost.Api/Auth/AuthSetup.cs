using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bifrost.Api.Auth;

public static class AuthSetup
{
    /// <summary>Registers what http_basic needs (the users file, the failed-login throttle).</summary>
    public static IServiceCollection AddApiAuth(this IServiceCollection services, ApiOptions options)
    {
        if (options.Auth != ApiAuthMode.HttpBasic) return services;
        services.AddSingleton(sp => new UserStore(options.UsersFile, sp.GetRequiredService<ILogger<UserStore>>()));
        services.AddSingleton(sp => new LoginThrottle(sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>In front of every endpoint, so the version and routing answers of protected paths stay hidden too.</summary>
    public static WebApplication UseApiAuth(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<ApiOptions>();
        if (options.Auth != ApiAuthMode.HttpBasic) return app;
        // Read the file now: a missing or broken users file is logged at start-up, not at the first request.
        _ = app.Services.GetRequiredService<UserStore>().Count;
        app.UseMiddleware<BasicAuthMiddleware>();
        return app;
    }
}
