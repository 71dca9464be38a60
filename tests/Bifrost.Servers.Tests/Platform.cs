// Namespace labs, SO_BINDTODEVICE and the real DHCP clients exist on Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
