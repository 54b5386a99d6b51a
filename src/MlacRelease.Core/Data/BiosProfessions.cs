namespace MlacRelease.Core.Data;

/// <summary>
/// The 28 occupations of the Bias in Bios dataset (De-Arteaga et al. 2019) with templates written for this
/// corpus. Every template is gender-neutral except through the pronoun placeholders; the test suite checks the
/// rendered texts for gendered words, so a template that slips one in fails the build.
/// </summary>
internal static class BiosProfessions
{
    public static readonly BiosProfession[] All =
    [
        new("accountant", "accountant", "accounting",
        [
            "{Name} is a certified public accountant who helps small businesses in {city} keep their books in order.",
            "{Name} is an accountant specializing in tax planning and audits.",
            "For {years} years, {Name} has worked as an accountant for clients ranging from startups to nonprofits.",
        ],
        [
            "{They} prepare{s} financial statements, tax returns and budgets for {their} clients.",
            "{Their} practice focuses on payroll, bookkeeping and tax compliance.",
            "{They} {is} a member of the state society of certified public accountants.",
        ]),
        new("architect", "architect", "architecture",
        [
            "{Name} is a licensed architect who designs homes and public buildings.",
            "{Name} is an architect with a focus on sustainable, energy-efficient design.",
            "{Name} has practiced architecture in {city} for {years} years.",
        ],
        [
            "{Their} projects include libraries, schools and affordable housing.",
            "{They} work{s} closely with engineers and builders from the first sketch to the final inspection.",
            "{Their} designs have received several regional design awards.",
        ]),
        new("attorney", "attorney", "law",
        [
            "{Name} is an attorney practicing employment and civil rights law.",
            "{Name} is a trial attorney who represents clients in state and federal courts.",
            "{Name} has been a practicing attorney in {city} for {years} years.",
        ],
        [
            "{They} {has} argued cases before the state court of appeals.",
            "{Their} practice focuses on contract disputes and business litigation.",
            "{They} {is} admitted to the bar in two states.",
        ]),
        new("chiropractor", "chiropractor", "chiropractic",
        [
            "{Name} is a chiropractor who treats back pain, neck pain and sports injuries.",
            "{Name} is a licensed chiropractor with a private practice in {city}.",
            "{Name} has been a doctor of chiropractic for {years} years.",
        ],
        [
            "{They} use{s} spinal adjustments and rehabilitation exercises to help patients recover.",
            "{Their} clinic specializes in posture correction and injury prevention.",
            "{They} {is} certified in chiropractic sports medicine.",
        ]),
        new("comedian", "comedian", "theater",
        [
            "{Name} is a stand-up comedian who performs in clubs across the country.",
            "{Name} is a comedian whose sets mix observational humor with storytelling.",
            "{Name} has been performing stand-up comedy for {years} years.",
        ],
        [
            "{Their} latest comedy special was recorded live in {city}.",
            "{They} {has} appeared at several major comedy festivals.",
            "{They} also host{s} a weekly comedy podcast.",
        ]),
        new("composer", "composer", "music composition",
        [
            "{Name} is a composer who writes music for orchestras and chamber ensembles.",
            "{Name} is a film and television composer based in {city}.",
            "{Name} has been composing music for the concert hall for {years} years.",
        ],
        [
            "{Their} works have been performed by orchestras in North America and Europe.",
            "{They} {has} scored several independent films and documentaries.",
            "{Their} most recent piece is a song cycle for voice and piano.",
        ]),
        new("dentist", "dentist", "dentistry",
        [
            "{Name} is a dentist who provides general and cosmetic dental care.",
            "{Name} is a family dentist with a practice in {city}.",
            "{Name} has been practicing dentistry for {years} years.",
        ],
        [
            "{They} focus{es} on preventive care and patient education.",
            "{Their} office offers cleanings, fillings, crowns and implants.",
            "{They} {is} known for putting anxious patients at ease.",
        ]),
        new("dietitian", "dietitian", "nutrition",
        [
            "{Name} is a registered dietitian who helps clients build healthy eating habits.",
            "{Name} is a clinical dietitian working with patients who have diabetes and heart disease.",
            "{Name} has worked as a dietitian in hospitals and private practice for {years} years.",
        ],
        [
            "{They} design{s} meal plans tailored to the medical needs of each client.",
            "{Their} work focuses on nutrition for athletes and active adults.",
            "{They} regularly lead{s} workshops on cooking and nutrition.",
        ]),
        new("dj", "DJ", "music production",
        [
            "{Name} is a DJ who plays house and techno at clubs and festivals.",
            "{Name} is a radio DJ and music producer based in {city}.",
            "{Name} has been spinning records as a DJ for {years} years.",
        ],
        [
            "{Their} mixes blend funk, disco and electronic music.",
            "{They} {has} played sets at festivals across Europe and North America.",
            "{They} also host{s} a weekly late-night radio show.",
        ]),
        new("filmmaker", "filmmaker", "film studies",
        [
            "{Name} is a documentary filmmaker whose work explores social and environmental issues.",
            "{Name} is an independent filmmaker based in {city}.",
            "{Name} has been writing and directing films for {years} years.",
        ],
        [
            "{Their} latest feature premiered at an international film festival.",
            "{They} {has} directed short films, music videos and commercials.",
            "{Their} documentaries have been broadcast on public television.",
        ]),
        new("interior_designer", "interior designer", "interior design",
        [
            "{Name} is an interior designer who creates warm, functional living spaces.",
            "{Name} is an interior designer specializing in residential and hospitality projects.",
            "{Name} has been designing interiors for homes and offices for {years} years.",
        ],
        [
            "{They} work{s} with clients to choose furniture, lighting, colors and materials.",
            "{Their} projects range from small apartments to boutique hotels.",
            "{Their} work has been featured in several design magazines.",
        ]),
        new("journalist", "journalist", "journalism",
        [
            "{Name} is a journalist covering politics and public policy.",
            "{Name} is an investigative journalist at a daily newspaper in {city}.",
            "{Name} has been reporting on science and technology for {years} years.",
        ],
        [
            "{Their} reporting has appeared in national newspapers and magazines.",
            "{They} {has} covered elections, courts and local government.",
            "{They} {was} a finalist for a national journalism award.",
        ]),
        new("model", "model", "communications",
        [
            "{Name} is a fashion model who has walked runways in New York, Paris and Milan.",
            "{Name} is a model represented by an agency in {city}.",
            "{Name} has been working as a model for {years} years.",
        ],
        [
            "{They} {has} appeared in print campaigns for several clothing brands.",
            "{Their} portfolio includes editorial, commercial and runway work.",
            "{They} {has} been featured on the covers of several fashion magazines.",
        ]),
        new("nurse", "nurse", "nursing",
        [
            "{Name} is a registered nurse working in the intensive care unit of a hospital in {city}.",
            "{Name} is a nurse practitioner who provides primary care to families.",
            "{Name} has worked as a nurse for {years} years.",
        ],
        [
            "{They} care{s} for patients recovering from surgery and serious illness.",
            "{Their} clinical interests include emergency care and patient safety.",
            "{They} also mentor{s} newly graduated nurses.",
        ]),
        new("painter", "painter", "fine arts",
        [
            "{Name} is a painter whose large canvases explore color and light.",
            "{Name} is a painter working mainly in oil and watercolor.",
            "{Name} has been painting landscapes and portraits for {years} years.",
        ],
        [
            "{Their} paintings have been exhibited in galleries in {city} and abroad.",
            "{They} {has} completed several public murals.",
            "{Their} work is held in private and museum collections.",
        ]),
        new("paralegal", "paralegal", "paralegal studies",
        [
            "{Name} is a paralegal at a law firm in {city}.",
            "{Name} is a litigation paralegal who supports attorneys through every stage of a case.",
            "{Name} has worked as a paralegal for {years} years.",
        ],
        [
            "{They} draft{s} legal documents, organize{s} case files and conduct{s} legal research.",
            "{Their} work focuses on real estate and corporate law.",
            "{They} {is} a certified paralegal.",
        ]),
        new("pastor", "pastor", "theology",
        [
            "{Name} is a pastor who leads a congregation in {city}.",
            "{Name} is the senior pastor of a community church.",
            "{Name} has served as a pastor for {years} years.",
        ],
        [
            "{They} preach{es} every Sunday and lead{s} weekly Bible study groups.",
            "{Their} ministry focuses on youth programs and community outreach.",
            "{They} {has} led mission trips to Central America and West Africa.",
        ]),
        new("personal_trainer", "personal trainer", "kinesiology",
        [
            "{Name} is a certified personal trainer who helps clients build strength and endurance.",
            "{Name} is a personal trainer at a gym in {city}.",
            "{Name} has been coaching clients as a personal trainer for {years} years.",
        ],
        [
            "{They} design{s} individualized workout programs for every fitness level.",
            "{Their} specialties include strength training and injury recovery.",
            "{They} {is} certified in nutrition coaching and functional movement.",
        ]),
        new("photographer", "photographer", "photography",
        [
            "{Name} is a photographer specializing in portraits and weddings.",
            "{Name} is a documentary photographer based in {city}.",
            "{Name} has been working as a professional photographer for {years} years.",
        ],
        [
            "{Their} photographs have been published in magazines and newspapers.",
            "{They} shoot{s} mostly on film and develop{s} {their} own prints.",
            "{Their} photo essays have been exhibited in several galleries.",
        ]),
        new("physician", "physician", "medicine",
        [
            "{Name} is a physician specializing in internal medicine.",
            "{Name} is a family physician who practices in {city}.",
            "{Name} has been practicing medicine for {years} years.",
        ],
        [
            "{They} treat{s} adults with chronic conditions such as diabetes and hypertension.",
            "{They} completed {their} residency at a teaching hospital.",
            "{Their} clinical interests include preventive medicine and public health.",
        ]),
        new("poet", "poet", "creative writing",
        [
            "{Name} is a poet whose work explores memory, landscape and home.",
            "{Name} is a poet and essayist living in {city}.",
            "{Name} has been writing and publishing poetry for {years} years.",
        ],
        [
            "{Their} poems have appeared in literary journals across the country.",
            "{They} {is} the author of two poetry collections.",
            "{They} teach{es} poetry workshops at community centers and libraries.",
        ]),
        new("professor", "professor", "history",
        [
            "{Name} is a professor of history at {university}.",
            "{Name} is an associate professor whose research focuses on economic history.",
            "{Name} has been teaching at the university level for {years} years.",
        ],
        [
            "{Their} research has been funded by the National Science Foundation.",
            "{They} {has} published more than {number} peer-reviewed articles.",
            "{They} supervise{s} graduate students and teach{es} undergraduate seminars.",
        ]),
        new("psychologist", "psychologist", "psychology",
        [
            "{Name} is a clinical psychologist in private practice in {city}.",
            "{Name} is a licensed psychologist who works with children and adolescents.",
            "{Name} has been practicing psychology for {years} years.",
        ],
        [
            "{They} specialize{s} in anxiety, depression and trauma.",
            "{They} use{s} cognitive behavioral therapy and mindfulness-based approaches.",
            "{Their} research focuses on resilience and mental health.",
        ]),
        new("rapper", "rapper", "music",
        [
            "{Name} is a rapper and songwriter from {city}.",
            "{Name} is a hip-hop artist known for sharp lyrics and storytelling.",
            "{Name} has been rapping and producing music for {years} years.",
        ],
        [
            "{Their} debut album reached the top of the independent charts.",
            "{They} {has} toured with several well-known hip-hop acts.",
            "{Their} lyrics deal with growing up in the city and chasing ambition.",
        ]),
        new("software_engineer", "software engineer", "computer science",
        [
            "{Name} is a software engineer at a technology company in {city}.",
            "{Name} is a software engineer who builds distributed systems and web services.",
            "{Name} has been writing software professionally for {years} years.",
        ],
        [
            "{They} work{s} mainly in Python, Java and Go.",
            "{Their} work focuses on databases, cloud infrastructure and developer tools.",
            "{They} contribute{s} to several open-source projects.",
        ]),
        new("surgeon", "surgeon", "medicine",
        [
            "{Name} is a surgeon specializing in orthopedic surgery.",
            "{Name} is a cardiothoracic surgeon at a hospital in {city}.",
            "{Name} has been performing surgery for {years} years.",
        ],
        [
            "{They} {has} performed thousands of minimally invasive procedures.",
            "{They} completed {their} surgical residency and fellowship at a university hospital.",
            "{Their} clinical interests include trauma surgery and surgical education.",
        ]),
        new("teacher", "teacher", "education",
        [
            "{Name} is a high school teacher who teaches English and history.",
            "{Name} is an elementary school teacher in {city}.",
            "{Name} has been teaching in public schools for {years} years.",
        ],
        [
            "{They} {has} taught math and science to middle school students.",
            "{Their} classroom emphasizes hands-on projects and reading.",
            "{They} also coach{es} the school debate team.",
        ]),
        new("yoga_teacher", "yoga teacher", "exercise science",
        [
            "{Name} is a yoga teacher who leads classes in vinyasa and hatha yoga.",
            "{Name} is a certified yoga teacher with a studio in {city}.",
            "{Name} has been teaching yoga for {years} years.",
        ],
        [
            "{Their} classes emphasize breath, alignment and mindfulness.",
            "{They} lead{s} yoga retreats and teacher trainings around the world.",
            "{They} {has} completed more than 500 hours of yoga teacher training.",
        ]),
    ];
}
