namespace Bifrost.Host.Configuration;

/// <summary>A configuration problem, reported as one line naming the key; never a stack trace.</summary>
public sealed class ConfigError(string message) : Exception(message);
