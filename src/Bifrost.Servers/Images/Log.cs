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

    [LoggerMessage(EventId = 5009, Level = LogLevel.Information, Message = "image cache: removed {Name} ({Bytes} bytes): {Why}")]
    public static partial void Evicted(ILogger logger, string name, long bytes, string why);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Warning,
        Message = "image cache: {Bytes} bytes in {Files} images, over its limit of {Limit} bytes: the rest was used within the last hour")]
    public static partial void OverLimit(ILogger logger, long bytes, int files, long limit);
}
