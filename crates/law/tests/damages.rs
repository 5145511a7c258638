//! Statutory damages at and around each minimum.

use redress_law::citation::Article;
use redress_law::damages::{
    CONSUMER_FRAUD_MINIMUM_FEN, DamagesError, DamagesRule, FOOD_SAFETY_MINIMUM_FEN, PunitiveBasis,
    consumer_fraud_damages, food_safety_damages,
};

#[test]
fn consumer_fraud_around_the_500_yuan_floor() {
    // 3 × price crosses ¥500 between ¥166.66 and ¥166.67; no whole-fen price makes it exactly
    // ¥500, so the "exactly at the floor" case is covered by the food table below.
    // (price, punitive, basis, total)
    let table = [
        (0, 50_000, PunitiveBasis::StatutoryMinimum, 50_000),
        (1, 50_000, PunitiveBasis::StatutoryMinimum, 50_001),
        (9_900, 50_000, PunitiveBasis::StatutoryMinimum, 59_900),
        (16_666, 50_000, PunitiveBasis::StatutoryMinimum, 66_666), // 3× = 499.98
        (16_667, 50_001, PunitiveBasis::ThreeTimesPrice, 66_668),  // 3× = 500.01
        (16_668, 50_004, PunitiveBasis::ThreeTimesPrice, 66_672),
        (100_000, 300_000, PunitiveBasis::ThreeTimesPrice, 400_000),
    ];
    for (price, punitive, basis, total) in table {
        let b = consumer_fraud_damages(price).unwrap();
        assert_eq!(b.refund_fen, price, "{price}");
        assert_eq!(b.punitive_fen, punitive, "{price}");
        assert_eq!(b.punitive_basis, basis, "{price}");
        assert_eq!(b.total_fen, total, "{price}");
        assert_eq!(b.minimum_fen, CONSUMER_FRAUD_MINIMUM_FEN);
        assert_eq!(b.citation.article, Article::ConsumerLaw55);
        assert_eq!(b.rule, DamagesRule::ConsumerFraud);
        assert!(b.rule.bases().contains(&b.punitive_basis), "the catalogue words every basis a rule gives");
    }
    let b = consumer_fraud_damages(16_666).unwrap();
    assert_eq!(b.candidates[0].amount_fen, 49_998, "3× the price, below the floor");
}

#[test]
fn food_safety_around_the_1000_yuan_floor() {
    // (price, loss, punitive, basis)
    let table = [
        (9_999, 0, 100_000, PunitiveBasis::StatutoryMinimum), // 10× = 999.90
        (10_000, 0, 100_000, PunitiveBasis::TenTimesPrice),   // exactly ¥1000: the multiple
        (10_001, 0, 100_010, PunitiveBasis::TenTimesPrice),
        (0, 33_333, 100_000, PunitiveBasis::StatutoryMinimum), // 3× loss = 999.99
        (0, 33_334, 100_002, PunitiveBasis::ThreeTimesLoss),
        (5_000, 40_000, 120_000, PunitiveBasis::ThreeTimesLoss), // 3× loss > 10× price
        (30_000, 100_000, 300_000, PunitiveBasis::TenTimesPrice), // tie: 10× price named
        (3_000, 10_000, 100_000, PunitiveBasis::StatutoryMinimum), // tie below the floor
    ];
    for (price, loss, punitive, basis) in table {
        let b = food_safety_damages(price, loss).unwrap();
        assert_eq!(b.punitive_fen, punitive, "{price}/{loss}");
        assert_eq!(b.punitive_basis, basis, "{price}/{loss}");
        assert_eq!(b.refund_fen, price);
        assert_eq!(b.loss_compensation_fen, loss);
        assert_eq!(b.total_fen, price + loss + punitive);
        assert_eq!(b.minimum_fen, FOOD_SAFETY_MINIMUM_FEN);
        assert_eq!(b.citation.article, Article::FoodSafetyLaw148);
        assert_eq!(b.rule, DamagesRule::FoodSafety);
        assert!(b.rule.bases().contains(&b.punitive_basis), "the catalogue words every basis a rule gives");
    }
    let b = food_safety_damages(5_000, 40_000).unwrap();
    assert_eq!(b.candidates.len(), 2);
}

#[test]
fn bad_inputs_are_errors_not_wrong_numbers() {
    assert_eq!(consumer_fraud_damages(-1), Err(DamagesError::Negative { field: "price_fen", value: -1 }));
    assert!(matches!(food_safety_damages(100, -5), Err(DamagesError::Negative { field: "loss_fen", .. })));
    assert_eq!(consumer_fraud_damages(i64::MAX / 3 + 1), Err(DamagesError::Overflow));
    assert_eq!(consumer_fraud_damages(i64::MAX / 3), Err(DamagesError::Overflow)); // total overflows
    assert_eq!(food_safety_damages(i64::MAX / 10 + 1, 0), Err(DamagesError::Overflow));
    assert_eq!(food_safety_damages(0, i64::MAX / 3 + 1), Err(DamagesError::Overflow));
}

#[test]
fn breakdown_serializes_with_snake_case_basis() {
    let json = serde_json::to_value(consumer_fraud_damages(100).unwrap()).unwrap();
    assert_eq!(json["punitive_basis"], "statutory_minimum");
    assert_eq!(json["citation"]["article"], "consumer_law_55");
}
