global using LyftServing.TorchSharp.Tests.TestSupport;
global using Microsoft.Extensions.DependencyInjection;
