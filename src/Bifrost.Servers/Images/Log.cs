using Microsoft.Extensions.Logging;

namespace Bifrost.Servers.Images;

internal static partial class Log
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "image {Source}: downloading into the cache")]
    public static partial void Downloading(ILogger logger, string source);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "image {Source}: download attempt {Attempt} failed ({Error}); retrying in {Delay}")]
    public static partial void Retrying(ILogger logger, string source, int attempt, string error, TimeSpan delay);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "image {Source}: downloaded {Bytes} bytes, {Algorithm} verified")]
    public static partial void Downloaded(ILogger logger, string source, long bytes, string algorithm);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "image {Source}: cached copy matches its checksum, not downloading")]
    public static partial void CacheHit(ILogger logger, string source);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "image {Source}: {Error}")]
    public static partial void Failed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "image prepared: {Description} at {Path}")]
    public static partial void Prepared(ILogger logger, string description, string path);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Debug, Message = "{Method} {Path} from {Client} → {Status} ({Bytes} bytes)")]
    public static partial void Served(ILogger logger, string method, string path, string client, int status, long bytes);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Warning, Message = "{Method} {Path} from {Client}: {Error}")]
    public static partial void ServeFailed(ILogger logger, string method, string path, string client, string error);
}
