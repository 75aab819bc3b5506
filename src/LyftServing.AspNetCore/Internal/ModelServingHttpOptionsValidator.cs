using Microsoft.Extensions.Options;

namespace LyftServing.AspNetCore.Internal;

[OptionsValidator]
internal sealed partial class ModelServingHttpOptionsValidator : IValidateOptions<ModelServingHttpOptions>;
