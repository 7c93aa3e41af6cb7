//! The demo province reproduces the article's figures through the one figure definition.
use crate::common;
use app::domain::{FigureFilter, Period};
use app::ssr::figures;
use common::{Engine, TestDb};

fn filter(period: &str, model: Option<&str>) -> FigureFilter {
    FigureFilter {
        period: period.parse::<Period>().unwrap(),
        model: model.map(str::to_string),
        province: Some("38".into()),
    }
}

on_both_engines!(demo_reproduces_the_articles_figures, |engine: Engine| async move {
    let database = TestDb::new(engine).await;
    let db = database.open().await;
    server::demo::load(&db).await.unwrap();

    // Yên Cát + Bình Lương, first year of the pilot: 98%.
    let rows = figures::district_summary(&db, &filter("2022", Some("CQTT"))).await.unwrap();
    assert_eq!(rows.len(), 27);
    let nhu_xuan = rows.iter().find(|r| r.district_name == "Như Xuân").unwrap();
    assert_eq!((nhu_xuan.figures.communes_adopting, nhu_xuan.figures.respondents), (2, 300));
    assert_eq!(nhu_xuan.figures.satisfaction_rate.unwrap().to_2dp(), "98.00");

    // Yên Cát: 200 ballots, all satisfied.
    let communes = figures::commune_figures(&db, "402", &filter("2023-Q4", Some("CQTT"))).await.unwrap();
    let yen_cat = communes.iter().find(|c| c.commune_name == "Yên Cát").unwrap();
    assert_eq!((yen_cat.figures.respondents, yen_cat.figures.satisfied), (200, 200));

    // 140 sites after three years, each at 90% or more.
    let rows = figures::district_summary(&db, &filter("2023", Some("CQTT"))).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.figures.communes_adopting).sum::<u64>(), 140);
    let mut surveyed_sites = 0;
    for d in &rows {
        for c in figures::commune_figures(&db, &d.district_code, &filter("2023", Some("CQTT"))).await.unwrap() {
            if c.figures.communes_adopting == 1 {
                surveyed_sites += 1;
                let rate = c.figures.satisfaction_rate.expect("every site was surveyed");
                assert!(rate.value() >= 90.0, "{} at {}", c.commune_name, rate.to_2dp());
            }
        }
    }
    assert_eq!(surveyed_sites, 140);
    // 15 steered by the province, 125 by districts.
    let sites = app::ssr::tables::adoptions(&db, Some("CQTT"), None).await.unwrap();
    let in_2023: Vec<_> =
        sites.iter().filter(|a| a.started_on <= chrono::NaiveDate::from_ymd_opt(2023, 12, 31).unwrap()).collect();
    assert_eq!(in_2023.iter().filter(|a| a.steered_by.as_deref() == Some("province")).count(), 15);
    assert_eq!(in_2023.iter().filter(|a| a.steered_by.as_deref() == Some("district")).count(), 125);

    // Scaled to 7 commune-level units of Như Xuân in 2024.
    let rows = figures::district_summary(&db, &filter("2024", Some("CQTT"))).await.unwrap();
    assert_eq!(rows.iter().find(|r| r.district_code == "402").unwrap().figures.communes_adopting, 7);

    // The eight models of the article, all in the model table.
    let by_model = figures::model_figures(&db, &filter("2023", None)).await.unwrap();
    assert_eq!(by_model.len(), 8);
    assert_eq!(by_model.iter().find(|m| m.model_code == "T7TN").unwrap().figures.communes_adopting, 15);
});
